/**
 * The hosted pages' HTML: server-rendered, no external asset (styles inline), readable and usable with
 * the keyboard alone — every input labelled, errors announced next to their field. Every value placed in
 * a page goes through `escape`.
 */

export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#eef1f4}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4rem;margin:0 0 .25rem}
p.lead{margin:0 0 1.5rem;color:#3d4550}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;padding:.6rem;border:1px solid #59636e;border-radius:.25rem;font:inherit;color:inherit}
input:focus,button:focus,a:focus{outline:3px solid #0b57d0;outline-offset:2px}
input[aria-invalid=true]{border-color:#a4161a}
.error{color:#a4161a;margin:.25rem 0 0;font-weight:600}
.alert{color:#a4161a;background:#fdecea;border:1px solid #a4161a;border-radius:.25rem;padding:.75rem;margin:0 0 1rem}
button{display:block;width:100%;margin-top:1.5rem;padding:.7rem;border:0;border-radius:.25rem;background:#0b57d0;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#0b57d0;border:1px solid #0b57d0;margin-top:.75rem}
.divider{text-align:center;color:#3d4550;margin:1.5rem 0 0}
a{color:#0b57d0}
.footer{margin-top:1.5rem;text-align:center}
.local{margin-top:1.5rem;font-size:.85rem;color:#3d4550;text-align:center}
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<p class="local">Local tenant — a stand-in for Auth0 on this machine.</p>
</main>
</body>
</html>`;
}

export interface Field {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  error?: string;
}

/** One labelled input; its error, when there is one, is announced and tied to it. */
export function field(input: Field): string {
  const id = `field-${input.name}`;
  const error = input.error ? `<p class="error" id="${id}-error" role="alert">${escape(input.error)}</p>` : '';
  return `<label for="${id}">${escape(input.label)}</label>
<input id="${id}" name="${escape(input.name)}" type="${escape(input.type ?? 'text')}" value="${escape(input.value ?? '')}"${input.autocomplete ? ` autocomplete="${escape(input.autocomplete)}"` : ''}${input.required ? ' required' : ''}${input.error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${error}`;
}

/** A message about the whole form (a wrong password, a denied signup), announced when the page loads. */
export function alert(message: string | undefined): string {
  return message ? `<div class="alert" role="alert" id="form-error">${escape(message)}</div>` : '';
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`;
}
