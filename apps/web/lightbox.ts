import { h } from './dom.ts';

/** Shows an image large over the page; a click anywhere or Escape closes it. */
export function openLightbox(src: string, caption: string): void {
  const close = () => {
    overlay.remove();
    document.removeEventListener('keydown', onKey);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') close();
  };
  const overlay = h('div', { class: 'lightbox', role: 'dialog', 'aria-label': caption, onclick: close }, h('img', { src, alt: caption }), h('p', {}, caption));
  document.addEventListener('keydown', onKey);
  document.body.appendChild(overlay);
}

/** A thumbnail that opens large on click. */
export function zoomableImage(src: string, caption: string, className = 'thumb'): HTMLImageElement {
  return h('img', { src, alt: caption, title: caption, class: className, onclick: () => openLightbox(src, caption) });
}
