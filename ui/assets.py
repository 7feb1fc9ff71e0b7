"""The app's own CSS, the player bar and the one click-handling script.

They are handed to ``launch(css=…, head=…)`` as strings, so they live here as
strings, beside nothing else. The script is small on purpose: one delegated click handler for the links that
:mod:`ui.render` emits (``a.ls-play`` plays, ``a.ls-open`` opens a story,
``a.ls-chip`` shows the glossary, ``a.ls-narrow`` asks again with a filter added,
``a.ls-copy`` copies a link, ``a.ls-cite`` / ``a.ls-copy-md`` copy the text of the
hidden ``.ls-clip`` beside them), a bridge that hands a link to the server
through a hidden textbox, and :func:`lsSync`, which puts the current answer or
story in the address bar. It never builds markup from data: it reads only
``href``s and ``textContent`` and sets only ``textContent``, ``src`` and
``currentTime``. Copying uses the Clipboard API where the page is a secure
context, and falls back to a selected textarea and ``execCommand('copy')``
(plain http on a non-local address), then to a prompt showing the text.
"""

PLAYER_HTML = (
    '<div id="ls-player" role="region" aria-label="Interview player" hidden>'
    '<span id="ls-now" aria-live="polite"></span>'
    '<audio id="ls-audio" controls preload="none"></audio>'
    '<button type="button" id="ls-player-close" aria-label="Close the player">✕</button></div>'
)

HEADER_HTML = (
    '<header class="ls-header"><h1>labstories</h1>'
    "<p>Ask the interview stories of the UNDP Accelerator Labs R&amp;D Archive. Every answer is a set of "
    "passages that lab members actually said, each playable from its second.</p></header>"
)

CSS = """
.ls-header h1 { margin: 0; font-size: 1.5rem; }
.ls-header p { margin: .2rem 0 0; opacity: .8; }
.ls-answer { line-height: 1.45; }
.ls-answer p { margin: .3rem 0; }
.ls-lead { font-weight: 500; }
.ls-note { font-size: .9em; opacity: .85; border-left: 3px solid #f59e0b; padding-left: .5rem; }
.ls-hit { border-top: 1px solid rgba(127,127,127,.3); padding: .5rem 0; }
.ls-title { font-weight: 600; }
.ls-meta { opacity: .75; font-size: .9em; }
.ls-q { font-style: italic; opacity: .85; }
.ls-answer mark, .ls-story mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 2px; }
.ls-chips { display: flex; flex-wrap: wrap; gap: .3rem; margin: .3rem 0; }
a.ls-chip { display: inline-block; font-size: .8em; padding: .1rem .55rem; border-radius: 999px;
  border: 1px solid rgba(127,127,127,.45); text-decoration: none !important; color: inherit !important; }
a.ls-chip.ls-principles { background: rgba(59,130,246,.12); }
a.ls-chip.ls-tactics { background: rgba(16,185,129,.12); }
a.ls-chip.ls-tools { background: rgba(245,158,11,.14); }
a.ls-chip.ls-skills { background: rgba(168,85,247,.12); }
.ls-actions { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; }
a.ls-play { font-weight: 600; padding: .15rem .6rem; border-radius: 6px; text-decoration: none !important;
  background: #1d4ed8; color: #fff !important; white-space: nowrap; }
a.ls-play:focus-visible, a.ls-chip:focus-visible, a.ls-copy:focus-visible, a.ls-open:focus-visible,
a.ls-ext:focus-visible, a.ls-cite:focus-visible, a.ls-copy-md:focus-visible, a.ls-narrow:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.ls-noaudio { opacity: .7; font-size: .9em; }
.ls-copied::after { content: " ✓ copied"; }
.ls-clip { display: none !important; }
.ls-weak { border-left: 3px solid #dc2626; padding-left: .5rem; }
.ls-about { display: flex; flex-wrap: wrap; gap: .3rem; align-items: baseline; font-size: .9em; }
a.ls-narrow { display: inline-block; font-size: .85em; padding: .05rem .5rem; border-radius: 999px;
  border: 1px dashed rgba(127,127,127,.6); text-decoration: none !important; color: inherit !important; }
a.ls-narrow b { font-weight: 600; opacity: .75; }
a.ls-narrow.ls-principles { background: rgba(59,130,246,.08); }
a.ls-narrow.ls-tactics { background: rgba(16,185,129,.08); }
.ls-moment { margin: .2rem 0 .3rem; }
.ls-more-moments { margin: .2rem 0 .2rem .8rem; }
.ls-more-moments > summary { cursor: pointer; font-size: .9em; opacity: .85; }
.ls-more-moments .ls-moment { border-left: 2px solid rgba(127,127,127,.3); padding-left: .6rem; }
.ls-foot { display: flex; flex-wrap: wrap; gap: .4rem .9rem; }
a.ls-cite, a.ls-copy-md { white-space: nowrap; }
.ls-suggest { margin: .3rem 0 .3rem 1.2rem; }
.ls-story header h2 { margin: .2rem 0; }
.ls-summary { opacity: .9; }
.ls-section { padding: .4rem .6rem; border-left: 4px solid transparent; margin: .4rem 0; scroll-margin-top: 1rem; }
.ls-section h3 { font-size: 1rem; margin: .2rem 0; display: flex; flex-wrap: wrap; gap: .4rem; align-items: baseline; }
.ls-section h3 a.ls-ext, .ls-section h3 a.ls-copy { font-size: .75em; font-weight: 400; }
.ls-current { border-left-color: #f59e0b; background: rgba(245,158,11,.12); }
.ls-para a.ls-play { font-size: .85em; margin-right: .4rem; }
.ls-para a.ls-ext { display: none; }
.ls-gloss h3 small { font-weight: 400; opacity: .7; }
#ls-player { position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; display: flex; gap: .6rem;
  align-items: center; flex-wrap: wrap; padding: .4rem .8rem; background: var(--background-fill-primary, #fff);
  border-top: 1px solid rgba(127,127,127,.4); box-shadow: 0 -2px 8px rgba(0,0,0,.12); }
#ls-player[hidden] { display: none; }
#ls-player audio { flex: 1 1 260px; min-width: 200px; height: 36px; }
#ls-now { font-size: .9em; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
body.ls-playing { padding-bottom: 5rem; }
@media (max-width: 640px) {
  .ls-header p { font-size: .9em; }
  #ls-player { padding: .3rem .4rem; }
}
"""

JS = r"""
<script>
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
</script>
"""

SYNC_JS = "(link) => { if (window.lsSync) window.lsSync(link); }"
#: The page's own address, handed to the server at load so copied links can be absolute.
BASE_JS = "(address) => location.origin + location.pathname"
GLOSSARY_JS = "() => { if (window.lsShowGlossary) window.lsShowGlossary(); }"

__all__ = ["BASE_JS", "CSS", "GLOSSARY_JS", "HEADER_HTML", "JS", "PLAYER_HTML", "SYNC_JS"]
