package calls

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Video safety: a file an applicant sends is a video only if its bytes
// say so (sniffVideo), ffprobe can read it and its length is within the
// call's limit (probeVideo), and ffmpeg can copy its streams into a new
// file of the same container without the metadata phones write: the GPS
// position (©xyz, com.apple.quicktime.location.ISO6709), the device's
// make and model, dates, and data tracks such as GoPro telemetry
// (cleanVideo). Only the clean copy is kept; what cannot be cleaned is
// refused.

// A refusal is a reason to give the applicant, as a message key.
type refusal struct{ Key string }

func (r *refusal) Error() string { return "calls: refused: " + r.Key }

func refuse(key string) error { return &refusal{Key: key} }

// RefusalKey is the message key of a refusal, "" for any other error.
func RefusalKey(err error) string {
	var r *refusal
	if errors.As(err, &r) {
		return r.Key
	}
	return ""
}

// sniffVideo reads the container from a file's first bytes: "mp4" for
// ISO base media (an ftyp box, MP4 and QuickTime alike), "webm" for
// Matroska's EBML header; "" for anything else.
func sniffVideo(head []byte) string {
	switch {
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "mp4"
	case len(head) >= 8 && (string(head[4:8]) == "moov" || string(head[4:8]) == "mdat" || string(head[4:8]) == "wide"):
		return "mp4" // QuickTime files from older cameras start without ftyp
	case len(head) >= 4 && bytes.Equal(head[:4], []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return "webm"
	}
	return ""
}

// containerOf is the container a file extension names.
func containerOf(ext string) string {
	switch ext {
	case "mp4", "mov":
		return "mp4"
	case "webm":
		return "webm"
	}
	return ""
}

// probe is what ffprobe says of a file.
type probe struct {
	Format struct {
		Name     string `json:"format_name"`
		Duration string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		Type string `json:"codec_type"`
	} `json:"streams"`
}

// toolTimeout bounds one run of ffprobe or ffmpeg; stream copy of a
// 2 GB file takes seconds.
const toolTimeout = 10 * time.Minute

// toolInput are ffprobe's and ffmpeg's options for reading a staged file
// from serveStaged's address: over HTTP only (a file's references to
// other files or addresses, such as QuickTime's, lead nowhere), and never
// through a proxy.
func toolInput(url string) []string {
	return []string{"-protocol_whitelist", "http,tcp", "-i", url}
}

// toolCommand is ffprobe or ffmpeg without the proxies the environment
// names: the staged file's address is on the loopback.
func toolCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 G702 -- fixed programs and flags; the input is serveStaged's address, the output a file of the store
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasSuffix(strings.ToLower(k), "_proxy") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// probeVideo checks a staged file, read from url, with ffprobe: a
// container it reads as what the bytes said, at least one video stream,
// a length within maxMinutes (0: any). It returns the length in seconds.
func probeVideo(ctx context.Context, url, container string, maxMinutes int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	args := append([]string{"-v", "error", "-show_entries", "format=format_name,duration:stream=codec_type", "-of", "json"}, toolInput(url)...)
	out, err := toolCommand(ctx, "ffprobe", args...).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return 0, refuse("calls.error.not_video")
		}
		return 0, fmt.Errorf("calls: ffprobe: %w", err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		return 0, refuse("calls.error.not_video")
	}
	want := map[string]string{"mp4": "mp4", "webm": "webm"}[container]
	if want == "" || !strings.Contains(p.Format.Name, want) {
		return 0, refuse("calls.error.not_video")
	}
	hasVideo := false
	for _, s := range p.Streams {
		hasVideo = hasVideo || s.Type == "video"
	}
	if !hasVideo {
		return 0, refuse("calls.error.not_video")
	}
	secs, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil || secs <= 0 {
		return 0, refuse("calls.error.not_video")
	}
	if maxMinutes > 0 && secs > float64(maxMinutes*60) {
		return 0, refuse("calls.error.too_long_video")
	}
	return int(secs + 0.5), nil
}

// cleanVideo copies the video and audio streams of the staged file read
// from url into out, in the same container, without metadata, chapters,
// subtitles or data tracks. ext names the muxer (mp4, mov, webm). ffmpeg
// writes out as its file descriptor 3: the MP4 and QuickTime muxers go
// back to write the index, so out must be a file, not a pipe. ffmpeg
// failing means the file cannot be cleaned: it is refused.
func cleanVideo(ctx context.Context, url string, out *os.File, ext string) error {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	format := map[string]string{"mp4": "mp4", "mov": "mov", "webm": "webm"}[ext]
	args := append([]string{"-nostdin", "-v", "error", "-y"}, toolInput(url)...)
	args = append(args, "-map", "0:v", "-map", "0:a?", "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1", "-dn", "-sn",
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-f", format, "file:/dev/fd/3")
	cmd := toolCommand(ctx, "ffmpeg", args...)
	cmd.ExtraFiles = []*os.File{out}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return refuse("calls.error.cannot_clean")
		}
		return fmt.Errorf("calls: ffmpeg: %w", err)
	}
	return nil
}

// readHead reads the first bytes of a file, for sniffVideo.
func readHead(r io.ReaderAt) ([]byte, error) {
	head := make([]byte, 16)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}
