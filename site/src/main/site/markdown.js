// Markdown for assistant messages, built only with DOM APIs (createElement, textContent): model text never goes
// through innerHTML, so `<img src=x onerror=alert(1)>` stays characters on the screen. Covered: paragraphs (single
// newlines are line breaks), headings, bullet and numbered lists, fenced code blocks (an unclosed fence while
// streaming shows as code so far), inline code, **bold** and *italic*. Links and images stay plain text: the page
// never fetches or navigates because of model output.

/** A fragment rendering `text`. */
export function renderMarkdown(text) {
  const out = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/.exec(line);
    if (fence) {
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or past the end while it streams)
      out.append(codeBlock(body.join('\n'), fence[2]));
      continue;
    }
    if (line.trim() === '') { i++; continue; }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const h = document.createElement('h' + Math.min(6, heading[1].length + 2)); // h3..h6: below the page's own
      appendInline(h, heading[2]);
      out.append(h);
      i++;
      continue;
    }
    if (listItem(line)) {
      const ordered = listItem(line).ordered;
      const list = document.createElement(ordered ? 'ol' : 'ul');
      while (i < lines.length && listItem(lines[i]) && listItem(lines[i]).ordered === ordered) {
        const li = document.createElement('li');
        const parts = [listItem(lines[i]).text];
        i++;
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !listItem(lines[i])) parts.push(lines[i++].trim());
        appendLines(li, parts);
        list.append(li);
      }
      out.append(list);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() !== '' && !listItem(lines[i]) && !/^#{1,6}\s/.test(lines[i])
        && !/^\s*(```|~~~)/.test(lines[i])) {
      para.push(lines[i++]);
    }
    const p = document.createElement('p');
    appendLines(p, para);
    out.append(p);
  }
  return out;
}

function listItem(line) {
  const m = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
  return m ? { ordered: m[2] !== undefined, text: m[3] } : null;
}

function codeBlock(text, lang) {
  const pre = document.createElement('pre');
  const code = document.createElement('code');
  if (lang) code.dataset.lang = lang;
  code.textContent = text;
  pre.append(code);
  return pre;
}

function appendLines(el, lines) {
  lines.forEach((l, k) => {
    if (k > 0) el.append(document.createElement('br'));
    appendInline(el, l);
  });
}

/** Inline spans: `code` first (nothing inside is markup), then **bold** and *italic* / _italic_. */
function appendInline(el, text) {
  let i = 0, plain = '';
  const flush = () => { if (plain) { el.append(document.createTextNode(plain)); plain = ''; } };
  while (i < text.length) {
    const c = text[i];
    if (c === '`') {
      const ticks = /^`+/.exec(text.slice(i))[0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > i) {
        flush();
        const code = document.createElement('code');
        code.textContent = text.slice(i + ticks.length, end);
        el.append(code);
        i = end + ticks.length;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const end = text.indexOf(c + c, i + 2);
      if (end > i + 2) {
        flush();
        const b = document.createElement('strong');
        appendInline(b, text.slice(i + 2, end));
        el.append(b);
        i = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] && text[i + 1] !== ' ' && text[i + 1] !== c) {
      const end = text.indexOf(c, i + 1);
      if (end > i + 1 && text[end - 1] !== ' ' && (c === '*' || !/\w/.test(text[end + 1] || ''))) {
        flush();
        const em = document.createElement('em');
        appendInline(em, text.slice(i + 1, end));
        el.append(em);
        i = end + 1;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
}
