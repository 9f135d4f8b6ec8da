'use strict';
// Passkeys, with the browser's own WebAuthn and nothing else: a form
// marked data-passkey asks the site for a ceremony's options, has the
// browser make ("create") or use ("get") a passkey, and sends the answer
// with the form, as base64url JSON. Without WebAuthn the forms stay
// hidden, and signing in with the password still works.
(function () {
  const forms = document.querySelectorAll('form[data-passkey]');
  if (!forms.length || !window.PublicKeyCredential || !navigator.credentials) return;

  function bytes(s) {
    const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    const out = new Uint8Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out.buffer;
  }
  function text(buf) {
    let s = '';
    for (const x of new Uint8Array(buf)) s += String.fromCharCode(x);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function ids(list) {
    for (const c of list || []) c.id = bytes(c.id);
  }

  // answer is the credential as the server reads it.
  function answer(cred) {
    const r = cred.response;
    const out = {
      id: cred.id, rawId: text(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: { clientDataJSON: text(r.clientDataJSON) },
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = text(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = text(r.authenticatorData);
      out.response.signature = text(r.signature);
      if (r.userHandle) out.response.userHandle = text(r.userHandle);
    }
    return out;
  }

  async function ceremony(form) {
    const res = await fetch(form.dataset.options, {
      method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)),
    });
    if (!res.ok) throw new Error('options: ' + res.status);
    const { options, state } = await res.json();
    const pk = options.publicKey;
    pk.challenge = bytes(pk.challenge);
    let cred;
    if (form.dataset.passkey === 'create') {
      pk.user.id = bytes(pk.user.id);
      ids(pk.excludeCredentials);
      cred = await navigator.credentials.create({ publicKey: pk });
    } else {
      ids(pk.allowCredentials);
      cred = await navigator.credentials.get({ publicKey: pk });
    }
    form.elements.state.value = state;
    form.elements.credential.value = JSON.stringify(answer(cred));
    form.submit();
  }

  for (const form of forms) {
    form.hidden = false;
    const status = form.querySelector('[data-passkey-status]');
    form.addEventListener('submit', (e) => {
      if (form.elements.credential.value) return;
      e.preventDefault();
      status.textContent = '';
      ceremony(form).catch(() => { status.textContent = form.dataset.failed; });
    });
  }
})();
