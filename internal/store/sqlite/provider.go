package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/xinyong/xinyong/internal/credit"
)

// CreateProvider registers p with the hash of its API key.
func (db *DB) CreateProvider(ctx context.Context, p *credit.Provider, keyHash []byte) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var exists int
	if err := t.QueryRowContext(ctx, `SELECT count(*) FROM providers WHERE code = ?`, p.Code).Scan(&exists); err != nil {
		return fmt.Errorf("check provider: %w", err)
	}
	if exists > 0 {
		return credit.Errorf(credit.ECONFLICT, "提供单位代码 %s 已登记", "provider code %s is already registered", p.Code)
	}
	res, err := t.ExecContext(ctx, `INSERT INTO providers (code, name, items, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		p.Code, p.Name, strings.Join(p.Items, ","), keyHash, ts(t.now))
	if err != nil {
		return fmt.Errorf("insert provider: %w", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	p.CreatedAt = t.now
	detail, _ := json.Marshal(map[string]any{"name": p.Name, "items": p.Items})
	if err := t.record(ctx, "cli", "provider.create", "provider:"+p.Code, string(detail)); err != nil {
		return err
	}
	return t.Commit()
}

// ProviderByKeyHash returns the provider holding the key.
func (db *DB) ProviderByKeyHash(ctx context.Context, keyHash []byte) (*credit.Provider, error) {
	p, err := scanProvider(db.read.QueryRowContext(ctx, `SELECT id, code, name, items, created_at FROM providers WHERE key_hash = ?`, keyHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.EUNAUTHORIZED, "API 密钥无效", "the API key is not valid")
	}
	return p, err
}

// Providers lists every registered provider by code.
func (db *DB) Providers(ctx context.Context) ([]*credit.Provider, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, code, name, items, created_at FROM providers ORDER BY code`)
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

type scanner interface{ Scan(...any) error }

func scanProvider(s scanner) (*credit.Provider, error) {
	var p credit.Provider
	var items, created string
	if err := s.Scan(&p.ID, &p.Code, &p.Name, &items, &created); err != nil {
		return nil, err
	}
	if items != "" {
		p.Items = strings.Split(items, ",")
	}
	p.CreatedAt = parseTS(created)
	return &p, nil
}

// BindKeys records the master key's fingerprint on first use and refuses another.
func (db *DB) BindKeys(ctx context.Context, id []byte) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if _, err := t.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('key_id', ?) ON CONFLICT DO NOTHING`, id); err != nil {
		return fmt.Errorf("bind keys: %w", err)
	}
	var stored []byte
	if err := t.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'key_id'`).Scan(&stored); err != nil {
		return fmt.Errorf("bind keys: %w", err)
	}
	if !bytes.Equal(stored, id) {
		return credit.ErrOtherKeys
	}
	return t.Commit()
}
