import type { Strings } from '../index';

/** Indonesian strings for running the inbox. */
export const inbox: Strings['inbox'] = {
  status: {
    open: 'Terbuka',
    pending: 'Menunggu',
    resolved: 'Selesai',
  },
  header: {
    assignedTo: (user) => `Ditangani ${user}`,
    unassigned: 'Belum ada yang menangani',
  },
  claimButton: 'Ambil',
  assignButton: 'Serahkan ke…',
  unassignButton: 'Lepaskan',
  resolveButton: 'Selesaikan',
  pendingButton: 'Tunggu pelanggan',
  reopenButton: 'Buka lagi',
  assignTitle: 'Serahkan percakapan',
  assignSubmit: 'Serahkan',
  assignLabel: 'Siapa yang menangani',
  assignPlaceholder: 'Pilih orang',
  claimed: (name) => `Sekarang Anda yang menangani percakapan dengan ${name}.`,
  alreadyYours: (name) => `Anda sudah menangani percakapan dengan ${name}.`,
  taken: (name, user) => `${user} sudah menangani percakapan dengan ${name}. Tanyakan kepadanya, atau pakai *Serahkan ke…* untuk mengambil alih.`,
  assigned: (name, user) => `Sekarang ${user} yang menangani percakapan dengan ${name}.`,
  unassigned: (name) => `Percakapan dengan ${name} kembali ke antrean.`,
  statusSet: (name, status) => `Percakapan dengan ${name} sekarang berstatus ${status}.`,
  unchanged: 'Tidak ada yang berubah: statusnya memang sudah begitu.',
  notMember: 'Hanya anggota channel akun ini dan admin workspace yang bisa melakukan ini.',
  gone: 'Percakapan ini sudah tidak tersedia.',
  handedToYou: (by, name, link) => `${by} menyerahkan percakapan dengan ${name} kepada Anda: ${link}`,
  threadLink: 'buka thread',
  reopenedFor: (user, name, status) => `${user} ${name} menulis lagi: percakapan tadinya berstatus ${status} dan kini terbuka lagi.`,
};
