import type { Strings } from '../index';

/** Under any list that pages. */
export const pager = {
  previousPage: '← Sebelumnya',
  nextPage: 'Berikutnya →',
  pageOf: (page: number, pages: number) => `Halaman ${page} dari ${pages}`,
};

/** Indonesian strings shared by every feature. */
export const common: Strings['common'] = {
  appName: 'wadesk',
  cancel: 'Batal',
  close: 'Tutup',
  done: 'Selesai',
  successfullyUpdated: 'Berhasil diperbarui!',
  somethingWentWrong: 'Terjadi kesalahan. Silakan coba lagi sebentar lagi.',
  pager,
  notAllowedTitle: 'Tidak diizinkan',
  onlyAdmins: (what: string) =>
    `Hanya admin dan pemilik workspace yang dapat ${what}. Mintalah kepada salah satu dari mereka, atau minta agar ID pengguna Anda ditambahkan ke ADMIN_USER_IDS. Tidak ada yang diubah.`,
  home: {
    header: 'wadesk: WhatsApp Business di Slack',
    intro: 'Hubungkan akun WhatsApp Business Anda, lalu balas pelanggan dari kanal Slack.',
  },
  help: {
    title: 'Bantuan wadesk',
    intro: 'Gunakan `/whatsapp` diikuti salah satu perintah ini:',
    connect: '`/whatsapp connect`: tambahkan akun WhatsApp Business (khusus admin)',
    accounts: '`/whatsapp accounts`: daftar akun yang terhubung dengan ON/OFF, Pengaturan, dan Putuskan',
    templates: '`/whatsapp templates [akun]`: template HSM 24 jam dari sebuah akun',
    send: '`/whatsapp send <akun> <telepon>`: kirim template untuk memulai percakapan',
    expiring: '`/whatsapp expiring`: percakapan yang jendela 24 jamnya akan segera berakhir',
    help: '`/whatsapp help`: bantuan ini',
    home: 'Semuanya juga tersedia di tab *Beranda* aplikasi.',
    unknown: (word: string) => `Saya tidak mengenal \`${word}\`.`,
  },
};
