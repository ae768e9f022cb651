// A Svelte action for lists whose items come most important first (the most named
// words, the newest notes): the items that do not fit the list's box are left out,
// from the first that overflows on, rather than shown cut in half. Measured again
// whenever the box, the items or the font change.

export function fitItems(list: HTMLElement) {
  const apply = () => {
    const items = [...list.children] as HTMLElement[];
    // Measured from the top with every item shown; what is left may then be centred.
    list.style.alignContent = 'flex-start';
    for (const item of items) item.style.display = '';
    const limit = list.clientHeight;
    const first = limit ? items.findIndex((item) => item.offsetTop + item.offsetHeight > limit + 1) : -1;
    if (first >= 0) for (const item of items.slice(first)) item.style.display = 'none';
    list.style.alignContent = '';
  };
  const observers: { disconnect(): void }[] = [];
  if (typeof ResizeObserver !== 'undefined') {
    const resize = new ResizeObserver(apply);
    resize.observe(list);
    observers.push(resize);
  }
  const changes = new MutationObserver(apply);
  changes.observe(list, { childList: true, subtree: true, characterData: true });
  observers.push(changes);
  apply();
  document.fonts?.ready.then(apply);
  return { destroy: () => observers.forEach((o) => o.disconnect()) };
}
