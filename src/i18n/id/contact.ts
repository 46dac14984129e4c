import type { Strings } from '../index';

/** Indonesian strings for the contact card. */
export const contact: Strings['contact'] = {
  button: 'Kontak',
  title: 'Kontak',
  save: 'Simpan',
  firstSeen: (when) => `Pertama terlihat ${when}`,
  conversations: (count) => (count === 1 ? '1 percakapan dengan workspace ini' : `${count} percakapan dengan akun-akun workspace ini`),
  messages: (inbound, outbound) => `${inbound} pesan dari pelanggan, ${outbound} dari tim`,
  optedOut: (when) => `:no_bell: Berhenti berlangganan pesan marketing (WhatsApp menolak satu pesan ${when})`,
  notOptedOut: 'Tidak diketahui berhenti berlangganan pesan marketing',
  tagsLabel: 'Tag',
  tagsHint: 'Dipisahkan koma atau spasi, misalnya vip, reseller. Tampil di thread dan bisa dipakai di /whatsapp queue #tag.',
  notesLabel: 'Catatan',
  notesHint: 'Hanya untuk tim: tidak pernah dikirim ke pelanggan.',
  tagsShown: (tags) => `:label: ${tags}`,
  issues: {
    tooMany: (max) => `Paling banyak ${max} tag.`,
    badTag: (tag) => `“${tag}” bukan tag: hanya huruf, angka, - dan _.`,
    tooLong: (tag, max) => `“${tag}” lebih dari ${max} karakter.`,
    notesTooLong: (max) => `Paling banyak ${max} karakter.`,
  },
};
