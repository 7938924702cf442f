package bot_test

import (
	"context"

	"github.com/jackc/pgx/v5"
)

func exec(ctx context.Context, dsn, q string) error {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, q)
	return err
}

func queryRow(ctx context.Context, dsn, q string, dst *string) error {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.QueryRow(ctx, q).Scan(dst)
}
