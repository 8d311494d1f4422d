package api_test

import (
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestEvidenceSizeLimit: the body of an evidence upload is read up to 5 MiB
// exactly: a PDF of models.MaxAttachmentSize bytes is taken, one byte more
// is 413.
func TestEvidenceSizeLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		a := h.submit("enterprise", nationalBody)
		exact := pdfFile + strings.Repeat("x", models.MaxAttachmentSize-len(pdfFile))
		info := decode[models.AttachmentInfo](t, h.must(201, "enterprise", "POST", applicationPath(a, "/attachments"), exact, "Content-Type", "application/pdf"))
		if info.Size != models.MaxAttachmentSize {
			t.Errorf("stored %d bytes, want %d", info.Size, models.MaxAttachmentSize)
		}
		h.must(413, "enterprise", "POST", applicationPath(a, "/attachments"), exact+"x", "Content-Type", "application/pdf")
	})
}
