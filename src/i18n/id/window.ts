import type { Strings } from '../index';
import { intl, pager } from './common';

/** Indonesian strings for the 24-hour window. */
export const window: Strings['window'] = {
  intl,
  pager,
  duration: (hours, minutes) =>
    hours === 0 && minutes === 0 ? 'kurang dari semenit' : [hours ? `${hours} jam` : '', minutes ? `${minutes} menit` : ''].filter(Boolean).join(' '),
  warning: (who, left, when) =>
    `${who} Jendela 24 jam dengan pelanggan ini berakhir dalam *${left}* (${when}). Balas sebelum itu; setelahnya hanya template yang bisa menjangkau pelanggan.`,
  closed: (when) => `Jendela 24 jam berakhir ${when} tanpa balasan. Sekarang hanya template yang bisa menjangkau pelanggan.`,
  sendTemplate: 'Kirim template',
  summary: (count) => `Jendela 24 jam dari ${count} percakapan di channel ini akan segera berakhir:`,
  unknownCustomer: 'Pelanggan tanpa nama',
  row: (customer, left, when) => `${customer}: sisa ${left} (sampai ${when})`,
  lastMessage: (text) => `Pesan terakhir: ${text}`,
  answered: 'sudah dibalas',
  openThread: 'Buka thread',
  noThread: 'belum ada thread',
  more: (count) => `…dan ${count} lainnya`,
  expiring: {
    title: 'Jendela 24 jam yang masih terbuka, diurutkan dari yang paling cepat berakhir',
    empty: 'Saat ini tidak ada percakapan dengan jendela 24 jam yang masih terbuka.',
    noAccounts: 'Belum ada akun WhatsApp yang terhubung.',
    account: (name) => `*${name}*`,
  },
  home: {
    title: 'Jendela 24 jam yang masih terbuka',
    empty: 'Saat ini tidak ada jendela 24 jam yang masih terbuka.',
  },
  digest: {
    title: (account, count) => `Ringkasan harian ${account}: ${count} percakapan masih menunggu balasan`,
    lastRepliedBy: (mention) => `Terakhir dibalas oleh ${mention}`,
    nobodyReplied: 'Belum ada yang membalas',
    leftOut: (count) => `…dan ${count} lainnya: lihat \`/whatsapp expiring\` atau tab *Home* aplikasi.`,
  },
};
