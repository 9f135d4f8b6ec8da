package content

import (
	"context"
	"errors"
	"testing"
)

// Under an export's context a question is asked once, an error not kept;
// the live site's requests ask every time.
func TestMemo(t *testing.T) {
	asked := 0
	answer := func() (int, error) { asked++; return asked, nil }
	ctx := context.Background()
	if a, _ := Memo(ctx, "q", answer); a != 1 {
		t.Fatal(a)
	}
	if a, _ := Memo(ctx, "q", answer); a != 2 {
		t.Errorf("without WithMemo: %d, want asked again", a)
	}
	export := WithMemo(ctx)
	if _, err := Memo(export, "q", func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("the error was lost")
	}
	first, _ := Memo(export, "q", answer)
	again, _ := Memo(export, "q", answer)
	other, _ := Memo(export, "other", answer)
	if first != 3 || again != 3 || other != 4 {
		t.Errorf("under WithMemo: %d, %d, %d; want 3, 3, 4", first, again, other)
	}
}
