import type { Strings } from '../index';

/** Indonesian strings for messages Slack refused for good ("ditahan"). */
export const setAside: Strings['setAside'] = {
  homeTitle: 'Pesan yang ditolak Slack',
  homeIntro: 'Pesan ini belum terkirim ke Slack. Atasi penyebabnya, lalu tekan Coba Lagi: setiap pesan kembali ke thread-nya sesuai urutan.',
  account: (name, count) => `*${name}*: ${count} pesan ditahan`,
  moreAccounts: (count) => `…dan ${count} akun lain dengan pesan yang ditahan.`,
  retryButton: 'Coba Lagi',
  retried: (name, count) => `${count} pesan dari ${name} sedang dikirim ulang.`,
  nothingToRetry: (name) => `Tidak ada pesan dari ${name} yang menunggu untuk dikirim ulang.`,
  notFound: 'Akun WhatsApp tersebut sudah tidak ada di workspace ini.',
  adminWhat: 'mengirim ulang pesan yang ditolak Slack',
  reasons: {
    not_in_channel: (channel) => `wadesk bukan anggota ${channel}. Undang @wadesk ke sana (ketik \`/invite @wadesk\` di channel tersebut).`,
    channel_not_found: (channel) => `Slack tidak menemukan ${channel} untuk wadesk: channel itu privat tanpa wadesk, atau sudah dihapus. Undang @wadesk, atau pilih channel lain di Pengaturan akun.`,
    is_archived: (channel) => `${channel} sudah diarsipkan. Batalkan pengarsipannya, atau pilih channel lain di Pengaturan akun.`,
    blocks: () => 'Slack menolak tata letak pesan ini, begitu juga teks biasanya.',
    auth: () => 'Slack tidak lagi menerima token wadesk (aplikasi dicopot atau tokennya dicabut). Pasang ulang aplikasinya.',
    missing_scope: () => 'wadesk tidak memiliki izin Slack yang dibutuhkan. Pasang ulang aplikasi dari manifest-nya untuk memberikan izin tersebut.',
    other: (error) => `Slack menolaknya (\`${error}\`).`,
  },
  notice: (account, reason) => `:warning: Pesan dari akun WhatsApp *${account}* tidak dapat diposting di Slack. ${reason} Setelah itu, tekan *Coba Lagi* di tab *Home* aplikasi.`,
};
