// labstories: the app's one script, loaded by a <script src> in the page's head (ui/assets.py).
//
// It is small on purpose: one delegated click handler for the links that ui/render.py emits
// (a.ls-play plays, a.ls-open opens a story, a.ls-chip shows the glossary, a.ls-narrow asks
// again with a filter added, a.ls-copy copies a link, a.ls-cite / a.ls-copy-md copy the text of
// the hidden .ls-clip beside them), a bridge that hands a link to the server through a hidden
// textbox, and window.lsSync, which puts the current answer or story in the address bar.
//
// Rules: it never builds markup from data. It reads only hrefs and textContent and sets only
// textContent, src and currentTime. It holds no conversation state: the conversation and the
// filters travel as data in hidden components (ui/app.py). Copying uses the Clipboard API where
// the page is a secure context, and falls back to a selected textarea and execCommand('copy')
// (plain http on a non-local address), then to a prompt showing the text.
(() => {
  let nonce = 0;
  const $ = (sel) => document.querySelector(sel);
  function clock(t) {
    const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    const mm = h ? String(m).padStart(2, '0') : String(m);
    return (h ? h + ':' : '') + mm + ':' + String(s).padStart(2, '0');
  }
  function target(href) {
    const url = new URL(href, location.href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    const m = /^#t=(\d+)$/.exec(url.hash);
    return { src: url.href.split('#')[0], t: m ? parseInt(m[1], 10) : 0 };
  }
  function load(link, play, label) {
    const at = target(link.href), audio = $('#ls-audio'), bar = $('#ls-player');
    if (!at || !audio || !bar) return false;
    bar.hidden = false;
    document.body.classList.add('ls-playing');
    const box = link.closest('article, section');
    const title = document.querySelector('#ls-story h2') && link.closest('#ls-story')
      ? $('#ls-story h2').textContent : (box && box.querySelector('.ls-title') ? box.querySelector('.ls-title').textContent : '');
    const approx = link.classList.contains('ls-approx') ? '~' : '';
    $('#ls-now').textContent = (play ? '▶ ' : '') + title + ' · ' + approx + clock(at.t);
    const seek = () => {
      audio.currentTime = at.t;
      if (play) audio.play().catch(() => {});
    };
    if (audio.dataset.src !== at.src) {
      audio.dataset.src = at.src;
      audio.preload = 'metadata';
      audio.src = at.src + '#t=' + at.t;
      audio.addEventListener('loadedmetadata', seek, { once: true });
      audio.load();
    } else if (audio.readyState >= 1) {
      seek();
    } else {
      audio.addEventListener('loadedmetadata', seek, { once: true });
    }
    return true;
  }
  function send(id, value) {
    const box = document.querySelector('#' + id + ' textarea, #' + id + ' input');
    if (!box) return false;
    box.value = value + '\u0001' + (++nonce);
    box.dispatchEvent(new Event('input', { bubbles: true }));
    return true;
  }
  function fallbackCopy(text) {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed'; area.style.top = '-1000px'; area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  function copyText(link, text, what) {
    window.lsLastCopied = text;
    const done = () => { link.classList.add('ls-copied'); setTimeout(() => link.classList.remove('ls-copied'), 1500); };
    const fallback = () => { if (fallbackCopy(text)) done(); else window.prompt('Copy this ' + what + ':', text); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }
  function copy(link) {
    const url = new URL(link.getAttribute('href'), location.origin + location.pathname).href;
    copyText(link, url, 'link');
  }
  function copyClip(link, scope, selector, what) {
    const box = link.closest(scope), clip = box && box.querySelector(selector);
    if (!clip) return false;
    copyText(link, clip.textContent, what);
    return true;
  }
  document.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest &&
      event.target.closest('a.ls-play, a.ls-open, a.ls-chip, a.ls-copy, a.ls-cite, a.ls-copy-md, a.ls-narrow');
    if (link) {
      let handled = false;
      const has = (name) => link.classList.contains(name);
      if (has('ls-play')) handled = load(link, true);
      else if (has('ls-open')) handled = send('ls-story-key', link.getAttribute('href'));
      else if (has('ls-chip')) handled = send('ls-gloss-key', link.getAttribute('href'));
      else if (has('ls-narrow')) handled = send('ls-narrow-key', link.getAttribute('href'));
      else if (has('ls-cite')) handled = copyClip(link, '.ls-moment', '.ls-clip', 'citation');
      else if (has('ls-copy-md')) handled = copyClip(link, '.ls-answer', '.ls-md', 'answer');
      else { copy(link); handled = true; }
      if (handled) { event.preventDefault(); event.stopPropagation(); }
      return;
    }
    if (event.target.id === 'ls-player-close') {
      const audio = $('#ls-audio');
      if (audio) audio.pause();
      $('#ls-player').hidden = true;
      document.body.classList.remove('ls-playing');
    }
  }, true);
  // Put the current answer or story in the address bar; for a story, scroll to and prepare its section.
  window.lsSync = (link) => {
    if (typeof link === 'string' && link.startsWith('?')) history.replaceState(null, '', location.pathname + (link === '?' ? '' : link));
    if (!link || !link.includes('story=')) {
      // Show the newest answer from its first line, not its last.
      setTimeout(() => {
        const answers = document.querySelectorAll('#ls-chat .ls-answer');
        if (!answers.length) return;
        const y = window.scrollY;
        answers[answers.length - 1].scrollIntoView({ block: 'start' });
        window.scrollTo(0, y);
      }, 150);
      return;
    }
    let tries = 0;
    const focus = () => {
      const story = document.getElementById('ls-story');
      if (!story || story.dataset.link !== link) { if (++tries < 60) setTimeout(focus, 50); return; }
      const current = story.querySelector('.ls-current') || story;
      current.scrollIntoView({ block: 'start' });
      const primary = story.querySelector('a.ls-primary');
      if (primary) load(primary, false);
    };
    focus();
  };
  window.lsShowGlossary = () => {
    setTimeout(() => { const g = document.getElementById('ls-gloss'); if (g) g.scrollIntoView({ block: 'nearest' }); }, 100);
  };
})();
