// Command embedded-db runs FerretDB (SQLite backend) as a local MongoDB-wire
// server for wadesk's embedded default and its test suite.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dir := flag.String("dir", "./data/db", "folder that holds the SQLite files")
	addr := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	// Under steady load readers keep SQLite's checkpoints from restarting the write-ahead log, so it
	// grows (to hundreds of MB in a long bench); without a limit it keeps that size for good.
	walLimit := flag.Int64("wal-limit", 64<<20, "bytes the write-ahead log is cut back to once it restarts")
	flag.Parse()

	abs, err := filepath.Abs(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		log.Fatal(err)
	}

	// A CPU profile of the database, for benchmarks (npm run bench with BENCH_DB_PROF).
	if out := os.Getenv("EMBEDDED_DB_CPUPROFILE"); out != "" {
		file, err := os.Create(out)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(file); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *addr},
		Handler:   "sqlite",
		SQLiteURL: fmt.Sprintf("file:%s/?_pragma=journal_size_limit(%d)", abs, *walLimit),
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		f.Run(ctx)
		close(done)
	}()
	// The parent process waits for this line before it connects.
	fmt.Printf("ready %s\n", f.MongoDBURI())
	<-done
}
