// Blocking before consent: type="text/plain" scripts run once their purpose is granted, in document order;
// iframes and images with data-src get a placeholder until then. Late elements are caught by a MutationObserver.
import { ATTR } from './constants.js';

const SEL = '[' + ATTR + ']';

/**
 * @param {function(string):boolean} has  is this purpose granted?
 * @param {string} nonce  our script's nonce, passed on to scripts we start
 * @param {function(Element,string,function():void):Element} placeholder  builds a placeholder for an element
 */
export function createBlocker(has, nonce, placeholder) {
  const seen = new WeakSet();
  const holders = new Map();
  let chain = Promise.resolve();
  let live = false;

  function load(el) {
    const ph = holders.get(el);
    if (ph) ph.remove();
    holders.delete(el);
    seen.add(el);
    el.hidden = false;
    el.src = el.getAttribute('data-src');
  }

  // Each script waits for the previous one to load, so order is the document's even across src/inline.
  function run(old) {
    seen.add(old);
    chain = chain.then(() => new Promise((done) => {
      if (!old.isConnected) return done();
      const s = document.createElement('script');
      for (const a of old.attributes) if (a.name !== 'type' && a.name !== ATTR) s.setAttribute(a.name, a.value);
      if (old.dataset.type) s.type = old.dataset.type;
      s.nonce = old.nonce || nonce;
      const external = old.hasAttribute('src');
      if (external) {
        s.async = false;
        s.onload = s.onerror = done;
      } else s.text = old.text;
      old.replaceWith(s);
      if (!external) done();
    }));
  }

  function handle(el) {
    if (seen.has(el)) return;
    const p = el.getAttribute(ATTR);
    if (el.tagName === 'SCRIPT') {
      // A script seen while the parser is still inside it may lack its text: wait for DOMContentLoaded.
      if (live && el.type.toLowerCase() === 'text/plain' && has(p)) run(el);
    } else if (el.hasAttribute('data-src')) {
      if (has(p)) load(el);
      else if (!holders.has(el)) {
        const ph = placeholder(el, p, () => load(el));
        holders.set(el, ph);
        el.hidden = true;
        el.before(ph);
      }
    }
  }

  /** Unblock what is now granted (after a decision); scripts wait for start(). */
  function scan() {
    document.querySelectorAll(SEL).forEach(handle);
  }

  /**
   * Watch the document from the start, so frames and images get their placeholder before the first paint
   * (no layout shift), and elements added later are handled too.
   */
  function watch() {
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches(SEL)) handle(n);
          n.querySelectorAll(SEL).forEach(handle);
        }
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  /** The document is parsed: run what is granted, in document order. */
  function start() {
    live = true;
    scan();
  }

  return { scan, watch, start };
}
