package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
)

// CreateProvider registers p with the hash of its API key.
func (db *DB) CreateProvider(ctx context.Context, p *credit.Provider, keyHash []byte) error {
	return db.inTx(ctx, func(t *tx) error {
		err := t.QueryRow(ctx, `INSERT INTO providers (code, name, items, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (code) DO NOTHING RETURNING id`, p.Code, p.Name, strings.Join(p.Items, ","), keyHash, t.now).Scan(&p.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return credit.Errorf(credit.ECONFLICT, "提供单位代码 %s 已登记", "provider code %s is already registered", p.Code)
		}
		if err != nil {
			return fmt.Errorf("insert provider: %w", err)
		}
		p.CreatedAt = t.now
		detail, _ := json.Marshal(map[string]any{"name": p.Name, "items": p.Items})
		return t.record(ctx, "cli", "provider.create", "provider:"+p.Code, string(detail))
	})
}

// ProviderByKeyHash returns the provider holding the key.
func (db *DB) ProviderByKeyHash(ctx context.Context, keyHash []byte) (*credit.Provider, error) {
	p, err := scanProvider(db.pool.QueryRow(ctx, `SELECT id, code, name, items, created_at FROM providers WHERE key_hash = $1`, keyHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.EUNAUTHORIZED, "API 密钥无效", "the API key is not valid")
	}
	return p, err
}

// Providers lists every registered provider by code.
func (db *DB) Providers(ctx context.Context) ([]*credit.Provider, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, code, name, items, created_at FROM providers ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []*credit.Provider
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

func scanProvider(s pgx.Row) (*credit.Provider, error) {
	var p credit.Provider
	var items string
	if err := s.Scan(&p.ID, &p.Code, &p.Name, &items, &p.CreatedAt); err != nil {
		return nil, err
	}
	if items != "" {
		p.Items = strings.Split(items, ",")
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// BindKeys records the master key's fingerprint on first use and refuses another.
func (db *DB) BindKeys(ctx context.Context, id []byte) error {
	return db.inTx(ctx, func(t *tx) error {
		if _, err := t.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('key_id', $1) ON CONFLICT DO NOTHING`, id); err != nil {
			return fmt.Errorf("bind keys: %w", err)
		}
		var stored []byte
		if err := t.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'key_id'`).Scan(&stored); err != nil {
			return fmt.Errorf("bind keys: %w", err)
		}
		if !bytes.Equal(stored, id) {
			return credit.ErrOtherKeys
		}
		return nil
	})
}
