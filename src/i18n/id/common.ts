import type { Strings } from '../index';

/** Times read "14.30 WIB" and prices "Rp150.000". */
export const intl = 'id-ID';

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
  somethingWentWrong: 'Terjadi kesalahan. Silakan coba beberapa saat lagi.',
  pager,
  notAllowedTitle: 'Tidak diizinkan',
  onlyAdmins: (what: string) =>
    `Hanya admin dan pemilik workspace yang bisa ${what}. Minta bantuan salah satu dari mereka, atau minta ID pengguna Anda ditambahkan ke ADMIN_USER_IDS. Tidak ada perubahan yang disimpan.`,
  home: {
    header: 'wadesk: WhatsApp Business di Slack',
    intro: 'Hubungkan akun WhatsApp Business Anda, lalu balas pelanggan dari channel Slack.',
  },
  help: {
    title: 'Bantuan wadesk',
    intro: 'Gunakan `/whatsapp` diikuti salah satu perintah ini:',
    connect: '`/whatsapp connect`: tambahkan akun WhatsApp Business (khusus admin)',
    accounts: '`/whatsapp accounts`: daftar akun yang terhubung, dengan ON/OFF, Pengaturan, dan Putuskan Koneksi',
    templates: '`/whatsapp templates [akun]`: Template HSM sebuah akun, yaitu pesan yang bisa dikirim di luar jendela 24 jam',
    send: '`/whatsapp send <akun> <telepon>`: kirim template untuk memulai percakapan',
    expiring: '`/whatsapp expiring`: percakapan yang jendela 24 jamnya akan segera berakhir',
    replies: '`/whatsapp replies [akun]`: kelola balasan tersimpan akun (admin)',
    queue: '`/whatsapp queue [mine|unassigned|all] [akun] [#tag]`: percakapan terbuka, yang paling mendesak di atas: milik Anda, yang belum ditangani, atau semuanya',
    stats: '`/whatsapp stats [akun] [7d|30d]`: metrik tim, per akun dan agen (admin)',
    export: '`/whatsapp export`: percakapan dalam rentang tanggal sebagai file CSV, dikirim kepada Anda (admin)',
    help: '`/whatsapp help`: bantuan ini',
    home: 'Semua ini juga ada di tab *Home* aplikasi.',
    unknown: (word: string) => `Perintah \`${word}\` tidak dikenal.`,
  },
};
