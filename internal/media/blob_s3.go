package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says which bucket of an S3-compatible store keeps the blobs.
type S3Config struct {
	// Endpoint is the store's host and port ("s3.example.org",
	// "127.0.0.1:8333"); Secure says HTTPS.
	Endpoint string
	Secure   bool
	Region   string
	Bucket   string
	// Prefix is put before every key ("media/"), so that one bucket can
	// hold other things too; "" for none.
	Prefix string
	// AccessKey and SecretKey are the credentials; when both are empty
	// they are read from the environment (AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY, or MINIO_ROOT_USER and MINIO_ROOT_PASSWORD).
	AccessKey, SecretKey string
}

// ParseS3URL reads a --media address: s3://bucket[/prefix]?endpoint=host:port
// [&region=…][&secure=false]. Credentials never go in the address (it is
// printed in logs and help): they come from the environment.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, fmt.Errorf("media: %q is not an s3://bucket?endpoint=host:port address", raw)
	}
	if u.User != nil {
		return S3Config{}, errors.New("media: put the S3 credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not in the address")
	}
	q := u.Query()
	c := S3Config{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"), Secure: true,
		Prefix: strings.Trim(u.Path, "/")}
	if c.Prefix != "" {
		if !ValidKey(c.Prefix) {
			return S3Config{}, fmt.Errorf("media: the prefix %q of %s cannot begin a key", c.Prefix, raw)
		}
		c.Prefix += "/"
	}
	if c.Endpoint == "" {
		return S3Config{}, fmt.Errorf("media: %s names no endpoint (?endpoint=host:port)", raw)
	}
	if s := q.Get("secure"); s != "" {
		if c.Secure, err = strconv.ParseBool(s); err != nil {
			return S3Config{}, fmt.Errorf("media: secure=%q in %s is neither true nor false", s, raw)
		}
	}
	for k := range q {
		switch k {
		case "endpoint", "region", "secure":
		default:
			return S3Config{}, fmt.Errorf("media: unknown setting %q in %s", k, raw)
		}
	}
	return c, nil
}

// S3 returns Blobs kept as objects of a bucket in an S3-compatible store
// (AWS S3, SeaweedFS, MinIO, Garage…), one object per key under the
// config's prefix. The bucket must exist. Uploads of unknown or large
// size go in parts of s3PartSize, one at a time, so a 2 GB video costs
// one part of memory, not its size.
func S3(c S3Config) (Blobs, error) {
	creds := credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")
	if c.AccessKey == "" && c.SecretKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.EnvMinio{}})
	}
	client, err := minio.New(c.Endpoint, &minio.Options{Creds: creds, Secure: c.Secure, Region: c.Region})
	if err != nil {
		return nil, fmt.Errorf("media: s3 %s: %w", c.Endpoint, err)
	}
	return s3Blobs{client: client, bucket: c.Bucket, prefix: c.Prefix}, nil
}

// MakeS3Bucket creates the config's bucket when it does not exist yet.
func MakeS3Bucket(ctx context.Context, c S3Config) error {
	b, err := S3(c)
	if err != nil {
		return err
	}
	s := b.(s3Blobs)
	found, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media: the S3 store at %s does not answer: %w", c.Endpoint, err)
	}
	if found {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: c.Region}); err != nil {
		return fmt.Errorf("media: make bucket %q: %w", s.bucket, err)
	}
	return nil
}

// CheckS3 reports whether the bucket answers, for a clear message at
// start (and readiness) instead of a failed first upload.
func CheckS3(ctx context.Context, b Blobs) error {
	s, ok := b.(s3Blobs)
	if !ok {
		return nil
	}
	found, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media: the S3 store at %s does not answer: %w", s.client.EndpointURL().Host, err)
	}
	if !found {
		return fmt.Errorf("media: the S3 store at %s has no bucket %q: create it first", s.client.EndpointURL().Host, s.bucket)
	}
	return nil
}

type s3Blobs struct {
	client *minio.Client
	bucket string
	prefix string
}

// s3PartSize is the size of the parts of a multipart upload: S3's
// smallest allowed is 5 MiB, and 10,000 parts of 16 MiB hold 160 GB.
const s3PartSize = 16 << 20

func (s s3Blobs) object(key string) string { return s.prefix + key }

// notFound turns the store's "no such key" into fs.ErrNotExist.
func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}

func (s s3Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if size >= 0 {
		// The store reads size bytes and stops: more would go unnoticed.
		r = &exactReader{r: r, left: size}
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.object(key), r, size, minio.PutObjectOptions{
		ContentType: contentType, PartSize: s3PartSize, NumThreads: 1})
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
}

// exactReader yields the bytes of r and fails unless they number left:
// fewer end in io.ErrUnexpectedEOF, more in an error before the last byte
// is given, so the store never completes the object.
type exactReader struct {
	r    io.Reader
	left int64
}

var errTooLong = errors.New("more bytes than the size given")

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, e.end()
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left == 0 && n > 0 {
		if err := e.end(); err != io.EOF {
			return 0, err
		}
		return n, nil
	}
	if errors.Is(err, io.EOF) && e.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// end checks, once the size given is read, that r has nothing more.
func (e *exactReader) end() error {
	var one [1]byte
	for {
		n, err := e.r.Read(one[:])
		if n > 0 {
			return errTooLong
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return err
		}
	}
}

func (s s3Blobs) Open(ctx context.Context, key string) (Blob, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if notFound(err) {
			return nil, fmt.Errorf("media: open %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	return &s3Blob{Object: obj, size: info.Size, mod: info.LastModified}, nil
}

// s3Blob reads an object with range requests as it is read and sought,
// so serving a part of a video asks the store for that part only.
type s3Blob struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (b *s3Blob) Size() int64        { return b.size }
func (b *s3Blob) ModTime() time.Time { return b.mod }

func (s s3Blobs) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

func (s s3Blobs) Copy(ctx context.Context, from, to string) error {
	if err := checkKey(from); err != nil {
		return err
	}
	if err := checkKey(to); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: copy %s: %w", from, err)
	}
	_, err := s.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: s.object(to)},
		minio.CopySrcOptions{Bucket: s.bucket, Object: s.object(from)})
	if err != nil {
		if notFound(err) {
			return fmt.Errorf("media: copy %s: %w", from, fs.ErrNotExist)
		}
		return fmt.Errorf("media: copy %s to %s: %w", from, to, err)
	}
	return nil
}

func (s s3Blobs) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := checkPrefix(prefix); err != nil {
			yield("", err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops the listing when the caller stops early
		for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.object(prefix), Recursive: true}) {
			if obj.Err != nil {
				yield("", fmt.Errorf("media: list %q: %w", prefix, obj.Err))
				return
			}
			key := strings.TrimPrefix(obj.Key, s.prefix)
			if !ValidKey(key) {
				continue // not ours: a key no peerpress method writes
			}
			if !yield(key, nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield("", fmt.Errorf("media: list %q: %w", prefix, err))
		}
	}
}

// presigner is a Blobs that can hand out short-lived addresses of its
// blobs, which a browser fetches from the store itself (a bucket).
type presigner interface {
	presignGet(ctx context.Context, key string, expiry time.Duration, header http.Header) (*url.URL, error)
}

// presignGet signs a GET of key valid for expiry, whose answer carries
// the given Content-Type, Cache-Control and Content-Disposition (S3's
// response-* parameters: the store sets them, not the object's own
// metadata). Signing is done here, without a request to the store.
func (s s3Blobs) presignGet(ctx context.Context, key string, expiry time.Duration, header http.Header) (*url.URL, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	params := url.Values{}
	for h, p := range map[string]string{"Content-Type": "response-content-type", "Cache-Control": "response-cache-control",
		"Content-Disposition": "response-content-disposition"} {
		if v := header.Get(h); v != "" {
			params.Set(p, v)
		}
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.object(key), expiry, params)
	if err != nil {
		return nil, fmt.Errorf("media: sign %s: %w", key, err)
	}
	return u, nil
}
