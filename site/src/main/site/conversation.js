// The conversation view: one list item per message (user text as typed, assistant text as Markdown), with the
// actions that fit its place (Copy on every message, Edit on the last user message, Regenerate on the last answer)
// and, under each answer, time to first token and tokens per second. Everything is built with DOM APIs.
import { renderMarkdown } from './markdown.js';

/** A new, empty conversation. */
export function newConversation(system) {
  return { id: crypto.randomUUID(), title: '', model: '', system, messages: [], updated: Date.now() };
}

/** What a conversation keeps in IndexedDB (a message's full result stays in memory only). */
export function storable(c) {
  return {
    id: c.id, title: c.title, model: c.model, system: c.system, updated: c.updated,
    messages: c.messages.map((m) => (m.stats ? { role: m.role, content: m.content, stats: m.stats }
      : { role: m.role, content: m.content })),
  };
}

/**
 * The list item of message `index`. actions: {copy(msg, button), edit(), regenerate()}; `busy` hides Edit and
 * Regenerate while an answer is on its way.
 */
export function messageView(c, index, actions, busy) {
  const m = c.messages[index];
  const li = document.createElement('li');
  li.className = 'msg';
  li.dataset.role = m.role;
  li.dataset.index = String(index);
  if (m.stats) li.dataset.finish = m.stats.finish;
  if (m.result) li.dataset.result = JSON.stringify(m.result);
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = m.role === 'user' ? 'You' : 'Assistant';
  const content = document.createElement('div');
  content.className = 'content';
  const meta = document.createElement('div');
  meta.className = 'meta';
  li.append(who, content, meta);
  showContent(li, m);

  const row = document.createElement('div');
  row.className = 'actions';
  row.append(button('Copy', 'copy', (ev) => actions.copy(m, ev.currentTarget)));
  const last = index === c.messages.length - 1;
  const lastUser = m.role === 'user' && (last || (index === c.messages.length - 2 && c.messages[index + 1].role === 'assistant'));
  if (lastUser && !busy) row.append(button('Edit', 'edit', () => actions.edit()));
  if (m.role === 'assistant' && last && !busy) row.append(button('Regenerate', 'regenerate', () => actions.regenerate()));
  li.append(row);
  return li;
}

/** Shows a message's text (again, as it streams) and its figures. */
export function showContent(li, m) {
  const content = li.querySelector('.content');
  if (m.role === 'assistant') content.replaceChildren(renderMarkdown(m.content));
  else content.textContent = m.content;
  li.querySelector('.meta').textContent = m.stats ? statsText(m.stats) : '';
}

/** The figures of one answer from its last chunk (usage, finish_reason, kiln). */
export function statsOf(last) {
  const u = last.usage || {};
  return {
    finish: last.choices[0].finish_reason,
    tokens: u.completion_tokens ?? 0,
    ttft_ms: u.time_to_first_token_ms ?? null,
    tps: u.decode_tps ?? null,
    dropped: (last.kiln && last.kiln.dropped_messages) || 0,
  };
}

function statsText(s) {
  const parts = [];
  if (s.ttft_ms != null) parts.push(`first token after ${Math.round(s.ttft_ms)} ms`);
  if (s.tps) parts.push(`${s.tps.toFixed(1)} tokens/s`);
  parts.push(`${s.tokens} tokens`);
  if (s.finish === 'abort') parts.push('stopped');
  if (s.finish === 'length') parts.push('reached max tokens');
  if (s.dropped) parts.push(`${s.dropped} oldest messages left out to fit the context`);
  return parts.join(' · ');
}

function button(text, name, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = name;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

/** The conversation list: open one, delete one. */
export function historyView(list, currentId, onOpen, onDelete) {
  return list.map((c) => {
    const li = document.createElement('li');
    li.dataset.id = c.id;
    if (c.id === currentId) li.setAttribute('aria-current', 'true');
    const open = button(c.title || 'New chat', 'open', () => onOpen(c.id));
    open.title = c.title || 'New chat';
    const del = button('×', 'delete', () => onDelete(c.id));
    del.setAttribute('aria-label', 'Delete conversation: ' + (c.title || 'New chat'));
    li.append(open, del);
    return li;
  });
}
