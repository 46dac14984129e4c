import type { Strings } from '../index';
import { platform } from './platform';

/** Indonesian strings for HSM message templates. */

type P = Record<string, string | number>;

const statusNames: Record<string, string> = {
  APPROVED: 'Disetujui',
  PENDING: 'Menunggu peninjauan',
  REJECTED: 'Ditolak',
  PAUSED: 'Dijeda',
  DISABLED: 'Dinonaktifkan',
  IN_APPEAL: 'Dalam banding',
  PENDING_DELETION: 'Sedang dihapus',
  LIMIT_EXCEEDED: 'Batas terlampaui',
};

export const templates: Strings['templates'] = {
  listTitle: 'Template HSM',
  listHeader: (account) => `Template HSM untuk *${account}*`,
  listEmpty: 'Belum ada template. Klik *Tambah Template HSM* untuk membuatnya, atau *Sinkronkan* untuk mengambil template yang dibuat di WhatsApp Manager.',
  listCount: (from, to, total) => `Template ${from}–${to} dari ${total}`,
  addButton: 'Tambah Template HSM',
  refreshButton: 'Sinkronkan',
  deleteButton: 'Hapus',
  previousPage: '← Sebelumnya',
  nextPage: 'Berikutnya →',
  close: 'Tutup',
  switchOn: 'OFF → nyalakan',
  switchOff: 'ON → matikan',
  localOn: 'ON',
  localOff: 'OFF',
  status: (status) => statusNames[status] ?? status,
  rejectedBecause: (reason) => `Alasan: ${reason}`,
  notSendable: (parts) => `Berisi bagian yang tidak dapat dikirim wadesk (${parts}).`,
  updated: 'Berhasil diperbarui!',
  refreshed: (p) => `Disinkronkan dengan WhatsApp: ${p.imported} diimpor, ${p.changed} berubah status, ${p.removed} dihapus.`,
  refreshFailed: (why) => `Tidak dapat menyinkronkan dengan WhatsApp: ${why}`,
  deleted: (name) => `Template *${name}* dihapus.`,

  formTitle: 'Tambah Template HSM',
  formNext: 'Berikutnya',
  cancel: 'Batal',
  fieldName: 'Nama',
  fieldNameHint: 'Huruf kecil, angka, dan garis bawah, mis. order_update.',
  fieldLanguage: 'Bahasa',
  fieldLanguageHint: 'Kode bahasa WhatsApp, mis. en_US, id, pt_BR.',
  fieldCategory: 'Kategori',
  categories: { MARKETING: 'Pemasaran', UTILITY: 'Utilitas', AUTHENTICATION: 'Autentikasi' },
  fieldHeader: 'Header (opsional)',
  fieldHeaderHint: 'Teks, paling banyak 60 karakter; boleh berisi satu variabel {{1}}.',
  fieldHeaderExample: 'Contoh untuk variabel header',
  fieldBody: 'Isi',
  fieldBodyHint: 'Paling banyak 1.024 karakter. Variabel ditulis {{1}}, {{2}}, … berurutan, tidak di awal atau akhir, tidak berdampingan.',
  fieldFooter: 'Footer (opsional)',
  fieldFooterHint: 'Paling banyak 60 karakter, tanpa variabel.',
  fieldButtons: 'Tombol (opsional)',
  fieldButtonsHint:
    'Satu per baris, paling banyak 10: "quick_reply | Ya", "url | Lacak pesanan | https://example.com/track", "phone | Hubungi kami | +6281234567890".',
  fieldExamples: 'Contoh untuk variabel isi',
  fieldExamplesHint: 'Satu per baris: baris pertama untuk {{1}}, kedua untuk {{2}}, … WhatsApp meninjau template dengan contoh ini.',
  whatsappRefused: (p) => `:warning: WhatsApp menolak template: ${p.message} (kode ${p.code})`,
  unsupported: {
    cloud: 'Template memerlukan ID Akun WhatsApp Business untuk akun ini: tambahkan di pengaturan akun.',
    bsp: platform.bspNoTemplates,
    onprem: platform.retiredNoSend,
  },
  whatsappUnreachable: (p) => `WhatsApp tidak dapat dihubungi: ${p.message}. Silakan coba lagi.`,

  previewTitle: 'Pratinjau',
  previewIntro: 'Begini tampilan pesannya dengan nilai contoh. Klik *Ajukan* agar WhatsApp meninjaunya.',
  previewMeta: (p) => `*${p.name}* · ${p.language} · ${p.category}`,
  back: 'Kembali',
  submit: 'Ajukan',
  submitting: 'Mengajukan ke WhatsApp…',
  draftExpired: 'Draf ini sudah tidak tersedia. Silakan mulai lagi dengan *Tambah Template HSM*.',
  created: (p) =>
    `Template *${p.name}* telah diajukan ke WhatsApp. Status: *${p.status}*. Anda akan menerima pesan di sini saat WhatsApp menyetujui atau menolaknya.`,
  doneTitle: 'Template diajukan',

  deleteTitle: 'Hapus template?',
  deleteConfirm: (p) =>
    `Hapus *${p.name}* (${p.language}) di WhatsApp dan di sini? Tindakan ini tidak dapat dibatalkan, dan WhatsApp tidak mengizinkan nama ini dipakai lagi selama 30 hari.`,
  deleteRefusedTitle: 'Tidak dihapus',
  deleteRefused: (p) => `WhatsApp tidak menghapus *${p.name}*: ${p.message} (kode ${p.code})`,

  sendTitle: 'Kirim template',
  sendButton: 'Kirim',
  sendTo: (to) => `Kepada *${to}*. Template dapat dikirim kapan saja, termasuk di luar jendela 24 jam.`,
  sendPick: 'Template',
  sendPickPlaceholder: 'Pilih template yang disetujui',
  sendNoTemplates: 'Tidak ada template yang disetujui dan berstatus ON untuk akun ini. Buat atau nyalakan template di *Template HSM* (`/whatsapp templates`).',
  sendVariable: (n) => `Nilai untuk {{${n}}}`,
  sendHeaderVariable: 'Nilai untuk header {{1}}',
  sendPreview: 'Pratinjau',
  sendValueRequired: 'Isi nilai ini.',
  sendChooseFirst: 'Pilih template terlebih dahulu.',
  sendNotSendable: 'Template ini sudah tidak disetujui atau sedang OFF. Pilih template lain.',
  sendAccountOff: 'Akun WhatsApp ini sedang OFF, jadi tidak ada yang bisa dikirim.',
  sendFailed: (p) => `WhatsApp tidak mengirim pesan: ${p.message} (kode ${p.code})`,
  sending: 'Mengirim ke WhatsApp…',
  sentTitle: 'Template terkirim',
  sent: (to) => `Terkirim ke ${to}. Pesan ditampilkan di thread percakapan.`,
  sentInThread: (p) => `:outbox_tray: ${p.user} mengirim template *${p.name}* (${p.language}):`,
  invalidPhone: (input) => `"${input}" bukan nomor telepon dalam format internasional, mis. 6281234567890.`,
  sendUsage: 'Cara pakai: `/whatsapp send <akun> <telepon>`, mis. `/whatsapp send Sales 6281234567890`.',

  adminOnly: 'Hanya admin workspace (atau pengguna di ADMIN_USER_IDS) yang boleh membuat, menghapus, atau menyalakan/mematikan template.',
  channelOnly: (channel) => `Hanya anggota <#${channel}> yang boleh mengirim template dari akun ini.`,
  accountNotFound: (name) => `Tidak ada akun WhatsApp terhubung bernama "${name}".`,
  accountAmbiguous: 'Beberapa akun WhatsApp terhubung: sebutkan salah satunya, mis. `/whatsapp templates Sales`.',
  noAccounts: 'Belum ada akun WhatsApp yang terhubung.',
  templateNotFound: 'Template itu sudah tidak ada. Klik *Sinkronkan*.',
  conversationNotFound: 'Percakapan itu sudah tidak ada.',

  notice: (p) =>
    p.status === 'APPROVED'
      ? `:white_check_mark: WhatsApp menyetujui template Anda *${p.templateName}* (${p.language}) untuk *${p.accountName}*. Template sudah dapat dikirim.`
      : `:x: WhatsApp menolak template Anda *${p.templateName}* (${p.language}) untuk *${p.accountName}*` +
        (p.reason ? `. Alasan: ${p.reason}.` : '.'),

  issues: {
    required: () => 'Kolom ini wajib diisi.',
    invalid_characters: () => 'Gunakan hanya huruf kecil, angka, dan garis bawah.',
    too_long: (p: P) => `Paling banyak ${p.max} karakter (saat ini ${p.length}).`,
    duplicate: (p: P) => `Template "${p.name}" dalam bahasa ${p.language} sudah ada untuk akun ini.`,
    invalid_format: () => 'Gunakan kode bahasa WhatsApp seperti en_US atau id.',
    invalid: () => 'Pilih kategori.',
    variable_malformed: (p: P) => `"${p.token}" bukan variabel: tulis {{1}}, {{2}}, …`,
    variables_not_sequential: (p: P) => `Variabel harus berurutan: seharusnya {{${p.expected}}}, ditemukan {{${p.found}}}.`,
    variable_at_start: () => 'Isi tidak boleh diawali variabel.',
    variable_at_end: () => 'Isi tidak boleh diakhiri variabel.',
    variables_adjacent: (p: P) => `${p.first} dan ${p.second} berdampingan: beri teks di antaranya.`,
    example_missing: (p: P) =>
      p.part === 'header' ? 'Beri contoh untuk variabel header.' : `Beri contoh untuk {{${p.variable}}} (baris ${p.variable}).`,
    too_many_variables: (p: P) => `Paling banyak ${p.max} variabel di sini (ditemukan ${p.found}).`,
    variables_not_allowed: () => 'Footer tidak boleh berisi variabel.',
    too_many: (p: P) => `Paling banyak ${p.max} tombol (ditemukan ${p.found}).`,
    button_text_required: (p: P) => `Tombol ${p.button} memerlukan teks.`,
    button_text_too_long: (p: P) => `Tombol ${p.button}: paling banyak ${p.max} karakter (saat ini ${p.length}).`,
    button_url_variable_not_supported: (p: P) => `Tombol ${p.button}: URL dengan variabel tidak didukung.`,
    button_url_invalid: (p: P) => `Tombol ${p.button}: isi URL http(s) lengkap.`,
    button_phone_invalid: (p: P) => `Tombol ${p.button}: isi nomor telepon dalam format E.164, mis. +6281234567890.`,
    button_line_invalid: (p: P) => `Baris ${p.line} bukan tombol: tulis "quick_reply | teks", "url | teks | URL" atau "phone | teks | +nomor".`,
  },
  issueUnknown: (code) => `Nilai tidak valid (${code}).`,
};
