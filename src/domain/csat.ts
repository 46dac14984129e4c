/**
 * The satisfaction survey: a question with three to five answers, sent when a conversation is
 * resolved while its 24-hour window is open. WhatsApp reply buttons allow at most 3 (titles up to
 * 20 characters), so three answers go as buttons and four or five as a list (rows up to 24, the
 * list's button 20): the customer taps either way. Pure.
 */

export const CSAT_MIN_OPTIONS = 3;
export const CSAT_MAX_OPTIONS = 5;
/** The shorter of a reply button's title (20) and a list row's (24). */
export const CSAT_OPTION_MAX = 20;
export const CSAT_QUESTION_MAX = 1024;
/** A reply's id: `csat:<score>`, 1 the worst answer, the last option the best. */
const ID = /^csat:([1-5])$/;

export interface CsatSurvey {
  question: string;
  /** Worst first, best last: an answer's score is its place (1-based). */
  options: string[];
}

export type CsatProblem = 'question_missing' | 'question_too_long' | 'too_few' | 'too_many' | 'option_too_long' | 'duplicate';

/** The survey from the Settings form: a question, and the answers one a line. */
export function parseCsatSurvey(question: string, optionsText: string): { survey: CsatSurvey } | { problems: CsatProblem[] } {
  const q = question.trim();
  const options = optionsText
    .split(/\r?\n/)
    .map((o) => o.trim())
    .filter(Boolean);
  const problems: CsatProblem[] = [];
  if (!q) problems.push('question_missing');
  if (q.length > CSAT_QUESTION_MAX) problems.push('question_too_long');
  if (options.length < CSAT_MIN_OPTIONS) problems.push('too_few');
  if (options.length > CSAT_MAX_OPTIONS) problems.push('too_many');
  if (options.some((o) => [...o].length > CSAT_OPTION_MAX)) problems.push('option_too_long');
  if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) problems.push('duplicate');
  return problems.length ? { problems } : { survey: { question: q, options } };
}

/** The `interactive` object of the survey message: buttons for three answers, a list for four or five. */
export function csatInteractive(survey: CsatSurvey, listButton: string): Record<string, unknown> {
  const body = { text: survey.question };
  if (survey.options.length <= 3) {
    return { type: 'button', body, action: { buttons: survey.options.map((title, i) => ({ type: 'reply', reply: { id: `csat:${i + 1}`, title } })) } };
  }
  return {
    type: 'list',
    body,
    action: { button: [...listButton].slice(0, 20).join(''), sections: [{ rows: survey.options.map((title, i) => ({ id: `csat:${i + 1}`, title })) }] },
  };
}

/** The score of a survey answer (an interactive reply's id), if it is one. */
export function csatScore(replyId: string | undefined): number | undefined {
  const m = replyId ? ID.exec(replyId) : null;
  return m ? Number(m[1]) : undefined;
}
