/**
 * The list of kept runs in the page: one item per run kept in IndexedDB that no other open tab holds, saying
 * what it is (experiment, preset, seed, backend, where its checkpoint stands, when it was saved) and why it
 * cannot be resumed or where it will resume, each with Resume (when it can be) and Discard. DOM only: what the
 * buttons do is the caller's.
 */

/** One kept run as the list shows it. */
export interface KeptItem {
  key: string;
  experiment: string;
  /** "modadd (preset quick, seed 0, on wasm): the checkpoint at step 400 of 'square', saved …". */
  text: string;
  /** Why it cannot be resumed here (then it has Discard only), or null. */
  blocked: string | null;
  /** Said after the text: e.g. that it resumes on another backend than it was saved on. */
  note: string;
}

/**
 * Fills `root` with `items` (hidden when there are none); `act` hears a button's key and action. Resume is
 * disabled while `running` (one run at a time); Discard is always there.
 */
export function renderKeptList(root: HTMLElement, list: HTMLElement, items: readonly KeptItem[], running: boolean, act: (key: string, action: 'resume' | 'discard') => void): void {
  root.hidden = items.length === 0;
  list.replaceChildren(...items.map((item) => {
    const li = Object.assign(document.createElement('li'), { className: 'kept-run' });
    li.dataset.key = item.key;
    li.dataset.experiment = item.experiment;
    li.dataset.resumable = String(item.blocked === null);
    const what = Object.assign(document.createElement('span'), { className: 'what', textContent: item.text });
    const more = item.blocked !== null ? `Cannot be resumed here: ${item.blocked}.` : item.note;
    const note = Object.assign(document.createElement('span'), { className: 'doc note', textContent: more });
    const buttons = Object.assign(document.createElement('span'), { className: 'buttons' });
    if (item.blocked === null) {
      const resume = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Resume', disabled: running });
      resume.dataset.action = 'resume';
      resume.addEventListener('click', () => act(item.key, 'resume'));
      buttons.append(resume);
    }
    const discard = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Discard' });
    discard.dataset.action = 'discard';
    discard.addEventListener('click', () => act(item.key, 'discard'));
    buttons.append(discard);
    li.append(what, ...(more ? [note] : []), buttons);
    return li;
  }));
}
