/**
 * Renders the Block Kit subset Olympus posts to Slack (header, section with text and fields, context,
 * divider, actions with buttons, image) and Slack mrkdwn basics (*bold*, _italic_, ~strike~, `code`,
 * ``` blocks, <url|label> links, <@U…> mentions, &amp;/&lt;/&gt;). Everything becomes text nodes: nothing
 * from a card is ever parsed as HTML.
 */
import type { ComponentChildren, JSX } from 'preact';
import type { Block, BlockElement } from './types';

export type ButtonHandler = (element: BlockElement, block: Block) => void;

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const SAFE_LINK = /^(https?:|mailto:)/i;

function link(inner: string, key: number): JSX.Element {
  if (inner.startsWith('@') || inner.startsWith('#') || inner.startsWith('!')) {
    const [id, label] = inner.split('|');
    return (
      <span key={key} class="bk-mention">
        {label ? `@${unescape(label)}` : unescape(id ?? '')}
      </span>
    );
  }
  const bar = inner.indexOf('|');
  const url = unescape(bar === -1 ? inner : inner.slice(0, bar));
  const label = unescape(bar === -1 ? inner : inner.slice(bar + 1));
  if (!SAFE_LINK.test(url)) return <span key={key}>{label}</span>;
  return (
    <a key={key} href={url} target="_blank" rel="noopener noreferrer">
      {label}
    </a>
  );
}

const INLINE = /(`[^`\n]+`)|(<[^<>\n]+>)|(\*[^*\n]+\*)|(_[^_\n]+_)|(~[^~\n]+~)/g;

/** Inline mrkdwn of one line. */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  let key = 0;
  for (const match of text.matchAll(INLINE)) {
    const at = match.index ?? 0;
    if (at > last) out.push(unescape(text.slice(last, at)));
    const token = match[0];
    const body = token.slice(1, -1);
    if (match[1]) out.push(<code key={key++}>{unescape(body)}</code>);
    else if (match[2]) out.push(link(body, key++));
    else if (match[3]) out.push(<strong key={key++}>{inline(body)}</strong>);
    else if (match[4]) out.push(<em key={key++}>{inline(body)}</em>);
    else out.push(<del key={key++}>{inline(body)}</del>);
    last = at + token.length;
  }
  if (last < text.length) out.push(unescape(text.slice(last)));
  return out;
}

/** A mrkdwn text: ``` blocks as preformatted text, > quotes, lines kept. */
export function Mrkdwn({ text, plain = false }: { text: string; plain?: boolean }): JSX.Element {
  if (plain) return <span class="bk-text">{text}</span>;
  const parts = text.split('```');
  return (
    <span class="bk-text">
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <pre key={index}>{unescape(part.replace(/^\n/, ''))}</pre>
        ) : (
          part.split('\n').map((line, lineIndex, lines) => (
            <span key={`${index}-${lineIndex}`}>
              {line.startsWith('&gt; ') ? <q>{inline(line.slice(5))}</q> : inline(line)}
              {lineIndex < lines.length - 1 ? <br /> : null}
            </span>
          ))
        ),
      )}
    </span>
  );
}

function TextObject({ value }: { value: { type: string; text: string } | string | undefined }) {
  if (value === undefined) return null;
  if (typeof value === 'string') return <Mrkdwn text={value} />;
  return <Mrkdwn text={value.text} plain={value.type === 'plain_text'} />;
}

function Element({
  element,
  block,
  onButton,
  disabled,
}: {
  element: BlockElement;
  block: Block;
  onButton?: ButtonHandler;
  disabled: boolean;
}): JSX.Element | null {
  if (element.type === 'button') {
    const label = typeof element.text === 'string' ? element.text : (element.text?.text ?? '');
    return (
      <button
        type="button"
        class={`bk-button ${element.style ? `bk-${element.style}` : ''}`}
        data-action-id={element.action_id}
        disabled={disabled || !onButton}
        onClick={() => onButton?.(element, block)}
      >
        {label}
      </button>
    );
  }
  if (element.type === 'mrkdwn' || element.type === 'plain_text') {
    const text = typeof element.text === 'string' ? element.text : (element.text?.text ?? '');
    return <TextObject value={{ type: element.type, text }} />;
  }
  return null;
}

export function BlockKit({
  blocks,
  onButton,
  disabled = false,
}: {
  blocks: Block[];
  onButton?: ButtonHandler;
  disabled?: boolean;
}): JSX.Element {
  return (
    <div class="bk">
      {blocks.map((block, index) => {
        switch (block.type) {
          case 'header':
            return (
              <h3 key={index} class="bk-header">
                <TextObject value={block.text && { ...block.text, type: 'plain_text' }} />
              </h3>
            );
          case 'section':
            return (
              <div key={index} class="bk-section">
                {block.text ? <div class="bk-section-text">{<TextObject value={block.text} />}</div> : null}
                {block.fields ? (
                  <div class="bk-fields">
                    {block.fields.map((field, fieldIndex) => (
                      <div key={fieldIndex} class="bk-field">
                        <TextObject value={field} />
                      </div>
                    ))}
                  </div>
                ) : null}
              </div>
            );
          case 'context':
            return (
              <div key={index} class="bk-context">
                {(block.elements ?? []).map((element, elementIndex) => (
                  <Element key={elementIndex} element={element} block={block} disabled={disabled} />
                ))}
              </div>
            );
          case 'divider':
            return <hr key={index} class="bk-divider" />;
          case 'actions':
            return (
              <div key={index} class="bk-actions">
                {(block.elements ?? []).map((element, elementIndex) => (
                  <Element
                    key={elementIndex}
                    element={element}
                    block={block}
                    disabled={disabled}
                    {...(onButton ? { onButton } : {})}
                  />
                ))}
              </div>
            );
          default:
            return (
              <div key={index} class="bk-unknown">
                ({block.type} block)
              </div>
            );
        }
      })}
    </div>
  );
}
