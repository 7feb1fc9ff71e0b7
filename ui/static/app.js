// labstories: the app's one script, loaded by a <script src> in the page's head (ui/assets.py).
//
// It is small on purpose: one delegated click handler for the links that ui/render.py emits
// (a.ls-play plays, a.ls-open opens a story, a.ls-chip shows the glossary, a.ls-narrow asks
// again with a filter added, a.ls-copy copies a link, a.ls-cite / a.ls-copy-md copy the text of
// the hidden .ls-clip beside them), a bridge that hands a link to the server through a hidden
// textbox, and window.lsSync, which puts the current answer or story in the address bar, as an
// entry of the browser's history of its own (see the history block: Back and Forward, scroll positions).
//
// Rules: it never builds markup from data. It reads only hrefs, textContent and data-start
// attributes and sets only textContent, src, currentTime, playbackRate, classes, aria-current and
// aria-expanded, the history's entries (an address, a scroll position) and the scroll (and paints find matches as CSS highlights, see the story view's block). It holds no
// conversation state: the conversation and the filters travel as data in hidden components
// (ui/app.py). Copying uses the Clipboard API where
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
  function load(link, play, seconds) {  // seconds: play from there rather than from the link's #t=
    const at = target(link.href), audio = $('#ls-audio'), bar = $('#ls-player');
    if (!at || !audio || !bar) return false;
    if (seconds >= 0) at.t = seconds;
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
    const next = link.nextElementSibling;  // a link followed by its own clip (the "Cite" menu) copies that one
    const box = link.closest(scope), clip = next && next.matches(selector) ? next : box && box.querySelector(selector);
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
  // The tab's title names what the address opens (the question, or the story's or document's title
  // once its view is in), as the link preview does (ui/share.py). It sets document.title only.
  const SITE = 'labstories — Accelerator Labs interview stories';
  function nameTab(link) {
    const params = new URLSearchParams(typeof link === 'string' ? link : '');
    if (!params.has('story') && !params.has('doc')) {
      const q = (params.get('q') || '').trim();
      document.title = q ? q + ' — labstories' : SITE;
      return;
    }
    let tries = 0;
    const named = () => {
      const story = document.getElementById('ls-story'), h2 = story && story.querySelector('h2');
      if (!h2 || story.dataset.link !== link) { if (++tries < 60) setTimeout(named, 50); return; }
      document.title = h2.textContent.trim() + ' — labstories';
    };
    named();
  }
  // -- History: every view its own entry, Back and Forward between them (issue 17) ---------------
  // An answer, a page of one ("More stories"), a story or a passage at a second is pushed as an
  // entry of its own; history.state = {ls, chat, view, y, first, from}: ls names this page load,
  // chat the chat's contents (they change when Back or Forward re-opens an address), view the
  // address shown, y the scroll position, first (an answer) that nothing came before it in its
  // chat, from (a story) the answer entry it was opened from, which "Back to answers" returns to.
  // Back and Forward re-show a view that is still on the page, at its position, and re-open one
  // that is not through the bridges: a story through #ls-story-key, an answer or the first screen
  // through #ls-revisit-key (ChatApp.revisit: what a page load at that address shows). Only
  // addresses and positions are kept here; the conversation stays in its hidden components.
  const PAGE = Math.random().toString(36).slice(2);
  let chat = 0;  // bumped when a Back or Forward re-opens the chat from an address
  let asked = 0;  // answers shown in this chat
  let shown = '';  // the address of the answer the conversation is on ('' before a question)
  let pending = null;  // the entry a Back or Forward brings back, until its view is in
  let settling = false, stuck = 0, quiet = 0;  // while a view changes, scrolling belongs to no entry
  let moves = 0;  // bumped at every change of view: a delayed scroll meant for an earlier one gives up
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  const isStory = (link) => /[?&](story|doc)=/.test(link);
  const hasQ = (link) => new URLSearchParams(link).has('q');
  const ours = (state) => !!(state && state.ls === PAGE);
  const urlOf = (link) => location.pathname + (link === '?' ? '' : link);
  function remember() {
    const state = history.state;
    if (ours(state)) history.replaceState({ ...state, y: Math.round(window.scrollY) }, '');
  }
  function settle() {
    settling = true;
    clearTimeout(stuck);
    stuck = setTimeout(() => { settling = false; pending = null; }, 60000);  // a reply that never came
  }
  function leave() { if (!settling) { remember(); settle(); } }  // the view is about to change
  window.addEventListener('scroll', () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => { if (!settling) remember(); }, 120);
  }, { passive: true });
  // Scroll to y once the view is in (and tall enough to hold y, or after three seconds).
  function restore(y, view) {
    let tries = 0;
    const mine = moves;
    const ready = () => (isStory(view) ? !!(storyOf() && storyOf().dataset.link === view)
      : !!document.getElementById('ls-chat-view') && !document.getElementById('ls-story-view'));
    const go = () => {
      if (moves !== mine) return;
      const room = document.documentElement.scrollHeight >= y + window.innerHeight;
      if ((!ready() || !room) && ++tries < 60) { setTimeout(go, 50); return; }
      window.scrollTo(0, y);
    };
    go();
  }
  // The history entry of the view lsSync was given: 'adopt' (the page's first), 'address' (only
  // the address changed: filters before any question), 'new' (pushed), {y} to scroll back to, or
  // 'same': nothing new to show. `n` is the chat's length after an answer (undefined otherwise): a
  // view synced twice (the story already on screen, the answer with no new message) is the entry
  // already there, while "More stories" or the same question asked again is a new one.
  function entry(link, n) {
    const story = isStory(link), state = history.state;
    if (!pending && ours(state) && state.view === link && (story || (n !== undefined && state.n === n))) return 'same';
    moves += 1;
    if (!story) shown = hasQ(link) ? link : '';
    const first = !story && hasQ(link) ? asked++ === 0 : undefined, held = settling;
    clearTimeout(stuck);
    clearTimeout(quiet);
    settling = false;
    if (pending) {  // Back or Forward: the entry is there already
      const back = pending;
      pending = null;
      const view = back.reopen ? link : back.view;
      history.replaceState({ ...back, ls: PAGE, chat, view, n: n === undefined ? back.n : n, first: back.reopen ? first : back.first, reopen: undefined },
        '', back.reopen ? urlOf(link) : location.href);
      return back.reopen && !back.first ? 'new' : { y: back.y || 0 };
    }
    if (!ours(state)) {
      history.replaceState({ ls: PAGE, chat, view: link, n, y: Math.round(window.scrollY), first }, '', urlOf(link));
      return 'adopt';
    }
    if (!story && !hasQ(link) && !isStory(state.view) && !hasQ(state.view)) {
      history.replaceState({ ...state, view: link }, '', urlOf(link));
      return 'address';
    }
    if (!held) remember();  // the entry being left keeps its position (leave() kept it already)
    const left = history.state;
    if (!story && isStory(left.view) && left.from && left.from.chat === chat && left.from.view === link) {
      history.pushState(left.from, '', urlOf(link));  // "Back to answers": the answer it was opened from
      return { y: left.from.y || 0 };
    }
    const from = story ? (isStory(left.view) ? left.from : left) : undefined;
    history.pushState({ ls: PAGE, chat, view: link, n, y: 0, first, from }, '', urlOf(link));
    return 'new';
  }
  window.addEventListener('popstate', (event) => {
    const state = event.state && typeof event.state.view === 'string' ? event.state : { view: location.search || '?', y: 0 };
    moves += 1;
    settle();
    if (isStory(state.view)) {  // the chat stays as it is underneath
      pending = state;
      if (!send('ls-story-key', state.view)) pending = null;
      return;
    }
    const onPage = ours(state) && state.chat === chat && (hasQ(state.view) ? state.view === shown : !shown);
    if (onPage) {
      const back = document.getElementById('ls-back');
      if (document.getElementById('ls-story-view') && back) { pending = state; back.click(); return; }
      clearTimeout(stuck);
      settling = false;
      restore(state.y || 0, state.view);
      return;
    }
    chat += 1;
    asked = 0;
    pending = { ...state, chat, reopen: true };
    if (!send('ls-revisit-key', state.view)) pending = null;
  });
  document.addEventListener('click', (event) => {  // leaving for a story or back: keep the position first
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (event.target.closest && event.target.closest('a.ls-open, #ls-back')) leave();
  }, true);
  // Show the newest answer from its first line, unless it already starts in the upper half (or the
  // reader has scrolled meanwhile).
  function showNewest(top) {
    const from = window.scrollY, mine = moves;
    setTimeout(() => {
      if (window.scrollY !== from || moves !== mine) return;
      const answers = document.querySelectorAll('#ls-chat .ls-answer');
      if (!answers.length) { if (top) window.scrollTo(0, 0); return; }
      const at = answers[answers.length - 1].getBoundingClientRect().top;
      if (at < 0 || at > window.innerHeight / 2) window.scrollBy(0, at - 8);
    }, 150);
  }
  // -- A phone's "Filters" button (issue 17): the panel is folded away until it is pressed --------
  document.addEventListener('click', (event) => {
    const toggle = event.target.closest && event.target.closest('#ls-filters-toggle');
    if (!toggle) return;
    toggle.setAttribute('aria-expanded', String(toggle.getAttribute('aria-expanded') !== 'true'));  // app.css reads it
  });
  window.lsSync = (link, n) => {
    const how = typeof link === 'string' && link.startsWith('?') ? entry(link, n) : 'new';  // see the history block
    if (how === 'same') return;
    nameTab(link);
    if (!link || !link.includes('story=')) {
      if (how.y !== undefined) restore(how.y, link || '?');
      else if (how !== 'address') showNewest(how === 'new');
      return;
    }
    let tries = 0;
    const mine = moves;
    const focus = () => {
      if (moves !== mine) return;
      const story = document.getElementById('ls-story');
      if (!story || story.dataset.link !== link) { if (++tries < 60) setTimeout(focus, 50); return; }
      const current = story.querySelector('.ls-current') || story;
      current.scrollIntoView({ block: 'start' });
      const primary = story.querySelector('a.ls-primary');
      if (primary) load(primary, false);
      if (how.y !== undefined) restore(how.y, link);
    };
    focus();
  };
  window.lsShowGlossary = () => {
    setTimeout(() => { const g = document.getElementById('ls-gloss'); if (g) g.scrollIntoView({ block: 'nearest' }); }, 100);
  };
  // -- The story view (issue 17) --------------------------------------------------------------
  // The section being played is marked (.ls-current, aria-current) as the audio runs; a click on a
  // paragraph plays from its data-start; the player's speed; find in the story; Escape closes the
  // glossary (which app.css shows over the story, where the reader is). Matches are painted with
  // the CSS Custom Highlight API (ranges over the existing text nodes; no markup is made); without
  // it, the paragraph holding the current match gets a class. Only classes, aria-current, the
  // select's value, playbackRate and the count's textContent are set here.
  const storyOf = () => document.getElementById('ls-story');
  function playsStory(story, audio) {
    const link = story && story.querySelector('a.ls-play'), at = link && target(link.href);
    return !!(at && audio && audio.dataset.src === at.src);
  }
  function markPlaying(audio) {
    const story = storyOf();
    if (!playsStory(story, audio)) return;
    let now = null;
    for (const section of story.querySelectorAll('.ls-section[data-start]')) {
      if (!now || parseInt(section.dataset.start, 10) <= audio.currentTime) now = section; else break;
    }
    if (!now || now.classList.contains('ls-current')) return;
    for (const old of story.querySelectorAll('.ls-section.ls-current')) {
      old.classList.remove('ls-current');
      old.removeAttribute('aria-current');
    }
    now.classList.add('ls-current');
    now.setAttribute('aria-current', 'true');
  }
  const speedOf = () => { const s = $('#ls-speed'); return s ? parseFloat(s.value) : 1; };
  function setSpeed(audio, rate) {
    if (!audio || !(rate > 0)) return;
    audio.defaultPlaybackRate = rate;  // a new source starts at the default rate
    audio.playbackRate = rate;
  }
  // Media events do not bubble; a listener on the document in the capture phase still hears them.
  document.addEventListener('timeupdate', (e) => { if (e.target.id === 'ls-audio') markPlaying(e.target); }, true);
  document.addEventListener('loadedmetadata', (e) => { if (e.target.id === 'ls-audio') setSpeed(e.target, speedOf()); }, true);
  document.addEventListener('ratechange', (e) => {  // the browser's own menu changed it: the select follows
    const select = $('#ls-speed'), rate = e.target.id === 'ls-audio' && String(e.target.playbackRate);
    if (select && rate && [...select.options].some((o) => o.value === rate)) select.value = rate;
  }, true);
  document.addEventListener('change', (e) => { if (e.target.id === 'ls-speed') setSpeed($('#ls-audio'), speedOf()); });
  document.addEventListener('click', (event) => {  // links were handled (and stopped) by the handler above
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const at = event.target.closest ? event.target : event.target.parentElement;
    if (!at || at.closest('a, button, input, select, label')) return;
    const story = at.closest('#ls-story');
    const para = story && at.closest('p.ls-para[data-start]');
    if (!para || String(window.getSelection ? window.getSelection() : '')) return;  // selecting text, not playing
    const section = para.closest('.ls-section');
    const link = para.querySelector('a.ls-play') || (section && section.querySelector('h3 a.ls-play'));
    if (link) load(link, true, parseInt(para.dataset.start, 10));
  });
  // Find: every match of the box's text in the paragraphs and questions, case folded; "2 of 5".
  const found = { story: null, query: '', ranges: [], at: -1 };
  function matches(story, query) {
    const ranges = [], needle = query.toLowerCase();
    const walker = document.createTreeWalker(story, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest('.ls-para, .ls-section h3 > span')
        && !node.parentElement.closest('a')) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const lower = node.data.toLowerCase(), hay = lower.length === node.data.length ? lower : node.data;
      for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) {
        const range = new Range();
        range.setStart(node, i);
        range.setEnd(node, i + needle.length);
        ranges.push(range);
      }
    }
    return ranges;
  }
  function paint(story) {
    const current = found.ranges[found.at];
    if (window.CSS && CSS.highlights && typeof Highlight === 'function') {
      const all = new Highlight(), now = new Highlight();
      found.ranges.forEach((range) => all.add(range));
      if (current) now.add(current);
      CSS.highlights.set('ls-find', all);
      CSS.highlights.set('ls-find-now', now);
    }
    for (const old of story.querySelectorAll('.ls-find-here')) old.classList.remove('ls-find-here');
    const count = story.querySelector('.ls-find-count');
    if (count) count.textContent = !found.query ? '' : current ? (found.at + 1) + ' of ' + found.ranges.length : 'No matches';
    if (!current) return;
    const box = current.startContainer.parentElement.closest('.ls-para, h3');
    if (box) box.classList.add('ls-find-here');
    const rect = current.getBoundingClientRect(), bar = $('#ls-player');
    const bottom = window.innerHeight - (bar && !bar.hidden ? bar.offsetHeight : 0) - 16;
    if (rect.top < 72 || rect.bottom > bottom) window.scrollBy(0, rect.top - window.innerHeight / 3);
  }
  function find(story, step) {
    const input = story.querySelector('.ls-find-input'), query = input ? input.value.trim() : '';
    if (found.story !== story || found.query !== query) {
      Object.assign(found, { story, query, ranges: query ? matches(story, query) : [], at: -1 });
      step = 1;
    }
    const n = found.ranges.length;
    found.at = n ? (found.at + step + n) % n : -1;
    paint(story);
  }
  document.addEventListener('input', (e) => {
    const story = e.target.classList && e.target.classList.contains('ls-find-input') && e.target.closest('#ls-story');
    if (story) find(story, 1);
  });
  document.addEventListener('keydown', (e) => {
    const story = e.target.classList && e.target.classList.contains('ls-find-input') && e.target.closest('#ls-story');
    if (story && e.key === 'Enter') { e.preventDefault(); find(story, e.shiftKey ? -1 : 1); return; }
    if (e.key !== 'Escape' || story || !document.getElementById('ls-story-view')) return;
    const close = document.querySelector('#ls-gloss button:not(#ls-gloss-filter)');  // the glossary's Close
    if (close) { e.preventDefault(); close.click(); }
  });
  document.addEventListener('click', (e) => {
    const button = e.target.closest && e.target.closest('#ls-story .ls-find-prev, #ls-story .ls-find-next');
    if (button) find(button.closest('#ls-story'), button.classList.contains('ls-find-prev') ? -1 : 1);
  });
  // The find box stays at hand: once the story's header has scrolled away it is pinned (app.css).
  function pinFind() {
    const story = storyOf(), tools = story && story.querySelector('.ls-story-tools');
    if (tools) tools.classList.toggle('ls-stuck', tools.getBoundingClientRect().top < 0 && story.getBoundingClientRect().bottom > 120);
  }
  window.addEventListener('scroll', () => requestAnimationFrame(pinFind), { passive: true });
})();
