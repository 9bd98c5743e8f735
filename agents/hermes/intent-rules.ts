/** Keyword rules that recognise a client's intent in guided mode (no language model). */
import type { ProjectSummary } from './intake-brain.js';

const CONFIRM_PHRASES =
  /\b(?:yes|yep|yeah|yup|y|ok|okay|sure|confirm(?:ed)?|i confirm|(?:it |that |this )?looks (?:good|great|right|fine)|lgtm|(?:that'?s |it'?s )?(?:right|correct)|approved?|go ahead|ship it|perfect|great|please|thanks|thank you|all good|do it|it|that)\b/g;

/** True when the text only agrees ("yes", "Yes, looks good", "confirm, thanks") and says nothing else. */
export function isConfirmation(text: string): boolean {
  const words = text.toLowerCase().replace(/[^a-z' ]+/g, ' ');
  if (
    !/\b(?:yes|yep|yeah|yup|y|ok|okay|sure|confirm|confirmed|lgtm|correct|right|approve|approved|perfect|good|great|fine|go ahead|ship it)\b/.test(
      words,
    )
  ) {
    return false;
  }
  return words.replace(CONFIRM_PHRASES, ' ').trim().length === 0;
}

export function isStatusQuestion(text: string): boolean {
  return (
    /\b(?:status|progress|how(?:'s| is| are)\b.*\b(?:going|doing|coming|progressing)|any news|update on|where are we)\b/i.test(
      text,
    ) && !/\b(?:change|set|add|remove)\b/i.test(text)
  );
}

export function isNewProjectRequest(text: string): boolean {
  return /\b(?:new|another|second|next)\s+project\b|\bstart (?:a )?new\b/i.test(text);
}

export function isChangeRequest(text: string): boolean {
  return /\b(?:change|set|update|add|remove|move|extend|increase|reduce|instead|should be|rename)\b/i.test(
    text,
  );
}

export function isGreetingOnly(text: string): boolean {
  return /^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings)(?:\s+\w+)?[\s!.,]*$/i.test(
    text,
  );
}

/** The project the text names (by key or a distinctive word of its title), else null. */
export function projectNamed(text: string, projects: ProjectSummary[]): ProjectSummary | null {
  const lower = text.toLowerCase();
  const words = new Set(lower.split(/[^a-z0-9-]+/).filter((word) => word.length >= 3));
  const common = new Set(['the', 'and', 'for', 'app', 'project', 'our', 'my', 'with', 'new', 'tool']);
  for (const project of projects)
    if (words.has(project.key) || lower.includes(project.title.toLowerCase())) return project;
  for (const project of projects) {
    const titleWords = project.title
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length >= 3 && !common.has(word));
    if (titleWords.some((word) => words.has(word))) return project;
  }
  return null;
}
