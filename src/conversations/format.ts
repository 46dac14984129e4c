/**
 * Slack's message markup turned into WhatsApp text. Bold, italic, strike and code
 * use the same markers on both sides; links, mentions and entities do not.
 */
export function slackToWhatsAppText(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => {
      const plainUrl = url.replace(/^mailto:/, '');
      return label === plainUrl || label === url ? plainUrl : `${label} (${plainUrl})`;
    })
    .replace(/<((?:https?|mailto):[^>]+)>/g, (_m, url: string) => url.replace(/^mailto:/, ''))
    .replace(/<@[UW][A-Z0-9]+\|([^>]+)>/g, '@$1')
    .replace(/<@[UW][A-Z0-9]+>/g, '')
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<#C[A-Z0-9]+>/g, '')
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, '$1')
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, '@$1')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** WhatsApp's limits, in UTF-16 code units as the Cloud API counts them: a text body, a media caption. */
export const WHATSAPP_LIMITS = { text: 4096, caption: 1024 } as const;

/**
 * `text` in pieces of at most `max` characters, cut at the last line break in a piece's second half, else
 * its last space (mid-word only when it has none), and never inside a surrogate pair.
 */
export function splitText(text: string, max: number = WHATSAPP_LIMITS.text): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const head = rest.slice(0, max + 1);
    const newline = head.lastIndexOf('\n');
    const breakAt = newline > max / 2 ? newline : head.lastIndexOf(' ');
    let cut = breakAt > 0 ? breakAt : max;
    if (cut === max && /[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** WhatsApp's kind for a file, by its MIME type; what WhatsApp cannot play goes as a document. */
export function mediaKindOf(mimeType: string): 'image' | 'video' | 'audio' | 'document' {
  const type = mimeType.toLowerCase();
  if (type === 'image/jpeg' || type === 'image/png') return 'image';
  if (type === 'video/mp4' || type === 'video/3gpp') return 'video';
  if (['audio/aac', 'audio/mp4', 'audio/mpeg', 'audio/amr', 'audio/ogg'].includes(type.split(';')[0] ?? '')) return 'audio';
  return 'document';
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
};

/**
 * The file's name in Slack: the customer's, or one made for media WhatsApp sent without one.
 * Angle brackets become `_`: no file system wants them, and Slack would read `<!channel>` in a title.
 */
export function mediaFilename(kind: string, mimeType: string, given?: string): string {
  const name = given?.trim().replace(/[<>]/g, '_');
  if (name) return name;
  const ext = EXTENSIONS[mimeType.toLowerCase().split(';')[0]?.trim() ?? ''] ?? 'bin';
  return `${kind}.${ext}`;
}
