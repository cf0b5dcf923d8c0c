package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/web"
)

// Uploads configures file batches.
type Uploads struct {
	Dir      string          // where uploaded files are kept until their batch ends
	MaxBytes int64           // largest file accepted
	Wake     chan<- struct{} // tells the batch worker a batch is queued
}

type batchView struct {
	BatchID     int64              `json:"batch_id"`
	Item        string             `json:"item"`
	Mode        string             `json:"mode"`
	Status      string             `json:"status"`
	File        batchFile          `json:"file"`
	RowsRead    int                `json:"rows_read"`
	Accepted    int                `json:"accepted"`
	Created     int                `json:"created"`
	Updated     int                `json:"updated"`
	Unchanged   int                `json:"unchanged"`
	Rejected    int                `json:"rejected"`
	Progress    float64            `json:"progress"`
	Checkpoint  int                `json:"checkpoint"`
	Notes       []credit.BatchNote `json:"notes"`
	ReasonZH    string             `json:"reason_zh,omitempty"`
	ReasonEN    string             `json:"reason_en,omitempty"`
	DuplicateOf int64              `json:"duplicate_of,omitempty"`
	CreatedAt   time.Time          `json:"created_at"`
	StartedAt   *time.Time         `json:"started_at"`
	FinishedAt  *time.Time         `json:"finished_at"`
	Links       map[string]string  `json:"links"`
}

type batchFile struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Format   string `json:"format"`
	Encoding string `json:"encoding"`
	Sheet    string `json:"sheet,omitempty"`
}

func viewBatch(b *credit.Batch) batchView {
	self := "/api/v1/batches/" + strconv.FormatInt(b.ID, 10)
	v := batchView{BatchID: b.ID, Item: b.Item, Mode: b.Mode, Status: b.Status,
		File:     batchFile{Name: b.FileName, Size: b.FileSize, SHA256: hex.EncodeToString(b.FileHash), Format: b.Format, Encoding: b.Encoding, Sheet: b.Sheet},
		RowsRead: b.RowsRead, Accepted: b.Accepted(), Created: b.Created, Updated: b.Updated, Unchanged: b.Unchanged, Rejected: b.Rejected,
		Progress: b.Progress, Checkpoint: b.Checkpoint, Notes: b.Notes, ReasonZH: b.ReasonZH, ReasonEN: b.ReasonEN,
		CreatedAt: b.CreatedAt, StartedAt: b.StartedAt, FinishedAt: b.FinishedAt,
		Links: map[string]string{"self": self, "errors_csv": self + "/errors.csv", "errors_xlsx": self + "/errors.xlsx"}}
	if v.Notes == nil {
		v.Notes = []credit.BatchNote{}
	}
	return v
}

// createBatch takes a file of one item: POST /api/v1/batches?item=&mode=.
// The body is the file itself, or a multipart form with the file in the
// field "file". It answers at once with the batch; the file is collected
// in the background. The same file sent again is recognised.
func (h *Handler) createBatch(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	qs := r.URL.Query()
	it, err := h.itemFor(p, qs.Get("item"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	mode := qs.Get("mode")
	switch mode {
	case "":
		mode = credit.ModePartial
	case credit.ModePartial, credit.ModeAtomic:
	default:
		web.Error(w, r, credit.Errorf(credit.EINVALID, "mode 应为 partial（默认：有效行保存、无效行退回）或 atomic（全部有效才保存），实为“%s”",
			"mode must be partial (default: valid rows kept, invalid returned) or atomic (all or nothing), got %q", mode))
		return
	}
	if h.Uploads.Dir == "" {
		web.Error(w, r, credit.Errorf(credit.EUNAVAILABLE, "本服务未启用文件上传", "this server does not take file uploads"))
		return
	}
	body, name, err := uploadBody(w, r, h.Uploads.MaxBytes)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if name == "" {
		name = qs.Get("name")
	}
	if name == "" {
		name = "upload"
	}
	tmp, hash, size, err := saveUpload(h.Uploads.Dir, body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = credit.Errorf(credit.ETOOLARGE, "文件超过 %d MiB 上限，请拆分后分批上传", "the file is over the %d MiB limit; split it and upload the parts", h.Uploads.MaxBytes>>20)
		}
		web.Error(w, r, err)
		return
	}
	if size > h.Uploads.MaxBytes {
		os.Remove(tmp)
		web.Error(w, r, credit.Errorf(credit.ETOOLARGE, "文件超过 %d MiB 上限，请拆分后分批上传", "the file is over the %d MiB limit; split it and upload the parts", h.Uploads.MaxBytes>>20))
		return
	}
	if size == 0 {
		os.Remove(tmp)
		web.Error(w, r, credit.Errorf(credit.EINVALID, "上传的文件为空", "the uploaded file is empty"))
		return
	}
	if prev, err := h.Store.FindBatch(r.Context(), p.ID, it.Code, hash, mode, qs.Get("sheet")); err == nil && prev.Status != credit.BatchFailed {
		os.Remove(tmp)
		v := viewBatch(prev)
		v.DuplicateOf = prev.ID
		web.JSON(w, http.StatusOK, v)
		return
	}
	// One file per upload; the worker removes it when the batch ends.
	path := filepath.Join(h.Uploads.Dir, fmt.Sprintf("%x-%d.dat", hash[:8], time.Now().UnixNano()))
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		web.Error(w, r, fmt.Errorf("keep upload: %w", err))
		return
	}
	b := &credit.Batch{ProviderID: p.ID, ProviderCode: p.Code, Item: it.Code, Mode: mode, FileName: name, FilePath: path,
		FileHash: hash, FileSize: size, Sheet: qs.Get("sheet")}
	if err := h.Store.CreateBatch(r.Context(), b); err != nil {
		os.Remove(path)
		if credit.ErrorCode(err) == credit.ECONFLICT { // the same file arrived at the same time
			if prev, ferr := h.Store.FindBatch(r.Context(), p.ID, it.Code, hash, mode, b.Sheet); ferr == nil {
				v := viewBatch(prev)
				v.DuplicateOf = prev.ID
				web.JSON(w, http.StatusOK, v)
				return
			}
		}
		web.Error(w, r, err)
		return
	}
	select {
	case h.Uploads.Wake <- struct{}{}:
	default: // the worker is busy and will look again
	}
	w.Header().Set("Location", "/api/v1/batches/"+strconv.FormatInt(b.ID, 10))
	web.JSON(w, http.StatusAccepted, viewBatch(b))
}

// uploadBody returns the file of the request: the body, or the part named
// "file" of a multipart form, with its file name if it has one.
func uploadBody(w http.ResponseWriter, r *http.Request, max int64) (io.Reader, string, error) {
	body := http.MaxBytesReader(w, r.Body, max+1<<20) // room for multipart framing
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return io.LimitReader(body, max+1), "", nil
	}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", credit.Errorf(credit.EINVALID, "multipart 表单格式错误", "the multipart form is malformed")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, "", credit.Errorf(credit.EINVALID, "表单中没有名为 file 的文件字段", `the form has no file field named "file"`)
		}
		if part.FormName() == "file" {
			name := part.FileName()
			if name != "" {
				name = filepath.Base(name)
			}
			return io.LimitReader(part, max+1), name, nil
		}
	}
}

// saveUpload streams body to a temporary file in dir, hashing it.
func saveUpload(dir string, body io.Reader) (path string, hash []byte, size int64, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, 0, err
	}
	f, err := os.CreateTemp(dir, "upload-*.tmp")
	if err != nil {
		return "", nil, 0, err
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", nil, 0, err
	}
	return f.Name(), h.Sum(nil), size, nil
}

// ownBatch returns the provider's batch named in the path, or ENOTFOUND
// for anyone else's.
func (h *Handler) ownBatch(r *http.Request, p *credit.Provider) (*credit.Batch, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, credit.Errorf(credit.EINVALID, "批次编号应为正整数，实为“%s”", "the batch id must be a positive integer, got %q", r.PathValue("id"))
	}
	b, err := h.Store.Batch(r.Context(), id)
	if credit.IsNotFound(err) || err == nil && b.ProviderID != p.ID {
		return nil, credit.Errorf(credit.ENOTFOUND, "本单位没有编号为 %d 的批次", "this provider has no batch %d", id)
	}
	return b, err
}

// getBatch reports a batch's status and progress: GET /api/v1/batches/{id}.
func (h *Handler) getBatch(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	b, err := h.ownBatch(r, p)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, viewBatch(b))
}

// listBatches lists the provider's latest batches: GET /api/v1/batches.
func (h *Handler) listBatches(w http.ResponseWriter, r *http.Request, p *credit.Provider) {
	bs, err := h.Store.Batches(r.Context(), p.ID, 50)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := struct {
		Batches []batchView `json:"batches"`
	}{Batches: []batchView{}}
	for _, b := range bs {
		out.Batches = append(out.Batches, viewBatch(b))
	}
	web.JSON(w, http.StatusOK, out)
}

// batchErrors returns the rejected rows as a file to fix and resubmit:
// GET /api/v1/batches/{id}/errors.csv or errors.xlsx.
func (h *Handler) batchErrors(format string) providerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *credit.Provider) { h.writeBatchErrors(w, r, p, format) }
}

func (h *Handler) writeBatchErrors(w http.ResponseWriter, r *http.Request, p *credit.Provider, format string) {
	b, err := h.ownBatch(r, p)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	it, err := h.itemOrError(b.Item)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	name := fmt.Sprintf("batch-%d-errors.%s", b.ID, format)
	rows := intake.Opened(h.Keys, func(fn func(credit.RowError) error) error { return h.Store.BatchErrors(r.Context(), b.ID, fn) })
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		err = intake.WriteErrorsCSV(w, it, b.Header, rows)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = intake.WriteErrorsXLSX(w, it, b.Header, rows)
	}
	if err != nil {
		web.Logger(r).ErrorContext(r.Context(), "error file", "batch", b.ID, "err", err)
	}
}

// itemFor returns the catalogue item code names if provider p may submit it.
func (h *Handler) itemFor(p *credit.Provider, code string) (*catalog.Item, error) {
	if strings.TrimSpace(code) == "" {
		return nil, credit.Errorf(credit.EINVALID, "缺少 item：请写明目录条目代码，如 admin_penalty（见 /api/v1/catalog）",
			"missing item: name the catalogue item code, e.g. admin_penalty (see /api/v1/catalog)")
	}
	it, ok := h.Catalog.Item(code)
	if !ok {
		return nil, credit.Errorf(credit.EINVALID, "目录中没有条目“%s”，可用条目见 /api/v1/catalog",
			"the catalogue has no item %q; see /api/v1/catalog for the items", code)
	}
	if !p.MayProvide(it.Code) || !it.AllowsProvider(p.Code) {
		return nil, &credit.Error{Code: credit.EFORBIDDEN,
			MessageZH: fmt.Sprintf("提供单位 %s 未获准报送“%s”（%s），如需报送请联系信用中心登记", p.Code, it.NameZH, it.Code),
			MessageEN: fmt.Sprintf("provider %s is not registered to submit %s (%s); ask the credit center to register it", p.Code, it.NameEN, it.Code)}
	}
	return it, nil
}
