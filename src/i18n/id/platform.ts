import type { Strings } from '../index';
import { intl } from './common';

/** Indonesian strings for what Meta changed on the platform (opt-out, kategori dan kualitas template, BSP, On-Premises). */
export const platform: Strings['platform'] = {
  intl,
  marketingStopped: (when) =>
    `Pelanggan berhenti menerima pesan pemasaran di WhatsApp ${when}. Template pemasaran tidak akan dikirim kepadanya.`,
  marketingResumed: (when) => `Pelanggan kembali menerima pesan pemasaran di WhatsApp ${when}.`,
  headerMarketingStopped: 'Berhenti menerima pesan pemasaran',
  sendOptedOut:
    'Pelanggan ini sudah berhenti menerima pesan pemasaran dari Anda di WhatsApp, jadi template MARKETING tidak bisa dikirim kepadanya. Pilih template utilitas, atau tunggu sampai ia kembali menerimanya.',

  categoryChanged: (p) =>
    `:label: WhatsApp mengubah kategori template Anda *${p.templateName}* (${p.language}) untuk *${p.accountName}* dari ${p.from} menjadi *${p.to}*. Biaya setiap pesannya ikut berubah.`,
  categoryPlanned: (p) =>
    `:label: WhatsApp akan mengubah kategori template Anda *${p.templateName}* (${p.language}) untuk *${p.accountName}* dari ${p.from} menjadi *${p.to}*` +
    (p.when ? ` pada ${p.when}.` : '.') +
    ' Biaya setiap pesannya ikut berubah.',
  qualityChanged: (p) =>
    `:bar_chart: Kualitas template Anda *${p.templateName}* (${p.language}) untuk *${p.accountName}* sekarang *${p.to}*` +
    (p.from ? ` (sebelumnya ${p.from}).` : '.') +
    (p.to === 'RED' ? ' Banyak pelanggan memblokir atau melaporkannya: WhatsApp mungkin akan segera menjedanya.' : ''),
  unknownCategory: 'tidak diketahui',
  quality: (score) => `Kualitas: ${score}`,
  categoryWillChange: (p) => (p.when ? `Menjadi ${p.to} pada ${p.when}` : `Segera menjadi ${p.to}`),

  kindBsp: 'BSP (Cloud API melalui penyedia)',
  kindBspHint: 'Mis. 360dialog: Cloud API dari URL penyedia, dengan API key-nya sendiri.',
  fieldApiKeyHeader: 'Header API key',
  invalidHeader: 'Isi nama header tanpa spasi, mis. D360-API-KEY.',
  fieldApiKeyHeaderHint: 'Header permintaan yang membawa API key. Untuk 360dialog: D360-API-KEY.',
  bspFieldsHint:
    'Untuk BSP: URL API adalah URL dasar penyedia (360dialog: https://waba-v2.360dialog.io), token adalah API key-nya, dan ID nomor telepon hanya perlu diisi jika penyedia mencantumkannya di path.',
  bspTemplatesHint:
    'Template: isi WABA ID jika penyedia Anda melayani endpoint template Cloud API (/<WABA ID>/message_templates); jika tidak, kelola template di konsol penyedia.',
  bspNoTemplates:
    'Akun BSP ini tidak punya ID WhatsApp Business Account, jadi wadesk tidak bisa menampilkan atau mengelola templatenya: buat template di konsol penyedia. Jika penyedia Anda melayani endpoint template Cloud API, admin dapat menambahkan WABA ID di Pengaturan → *Pindahkan ke Cloud API atau BSP*.',
  retired: 'Dihentikan Meta pada 23-10-2025',
  retiredExplained:
    'Meta menghentikan On-Premises API pada 23-10-2025: akun ini tidak lagi menerima maupun mengirim pesan. Channel, percakapan, dan templatenya tetap tersimpan: klik *Pindahkan ke Cloud API atau BSP* untuk melanjutkannya.',
  moveButton: 'Pindahkan ke Cloud API atau BSP',
  moveTitle: 'Pindahkan akun',
  moveSubmit: 'Pindahkan',
  moveIntro: (name) =>
    `Pindahkan *${name}* ke Cloud API atau ke BSP yang melayaninya. Channel, percakapan, dan template akun tetap dipakai; URL webhook-nya berubah, jadi pasang URL yang baru setelahnya.`,
  moved: (name) => `*${name}* sekarang memakai API barunya. Pasang URL webhook di bawah ini di Meta atau di penyedia Anda.`,
  retiredNoSend:
    'Akun ini memakai On-Premises API, yang dihentikan Meta pada 23-10-2025: tidak ada pesan yang bisa dikirim sampai admin memindahkannya ke Cloud API atau BSP.',
  adminWhatMove: 'memindahkan akun WhatsApp',
};
