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

// probeVideo checks a staged file with ffprobe: a container it reads as
// what the bytes said, at least one video stream, a length within
// maxMinutes (0: any). It returns the length in seconds.
func probeVideo(ctx context.Context, path, container string, maxMinutes int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format=format_name,duration:stream=codec_type",
		"-of", "json", "--", path).Output() // #nosec G204 G702 -- fixed program and flags; path is a file the store named
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

// cleanVideo copies the video and audio streams of in into out, in the
// same container, without metadata, chapters, subtitles or data tracks.
// ext names the muxer (mp4, mov, webm). ffmpeg failing means the file
// cannot be cleaned: it is refused.
func cleanVideo(ctx context.Context, in, out, ext string) error {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	format := map[string]string{"mp4": "mp4", "mov": "mov", "webm": "webm"}[ext]
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", in, // #nosec G204 G702 -- fixed program and flags; paths the store named, after "--" for the output
		"-map", "0:v", "-map", "0:a?", "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1", "-dn", "-sn",
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-f", format, "--", out)
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
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- a file the store named
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head[:n], nil
}
