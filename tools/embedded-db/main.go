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
		SQLiteURL: "file:" + abs + "/",
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
