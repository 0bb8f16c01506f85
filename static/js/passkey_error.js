// allauth's WebAuthn script reports a cancelled or failed passkey ceremony as an 'allauth.error'
// event and only logs it: show the person a line saying what to do instead.
document.addEventListener('allauth.error', function (event) {
  const note = document.getElementById('passkey-error')
  if (note) {
    note.hidden = false
    event.preventDefault()
  }
})
