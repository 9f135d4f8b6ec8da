package calls

// maxPlainUpload bounds a file sent with the form itself, without the
// resumable upload: what a browser without JavaScript can send.
const maxPlainUpload = 64 << 20
