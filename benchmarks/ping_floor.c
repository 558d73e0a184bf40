/*
 * The floor for Engine API round trips: GET /_ping COUNT times through libcurl on one
 * reused easy handle (so one connection), over the engine's Unix socket. Nothing else
 * happens per call, which is what an API client cannot go below.
 *
 *   ping_floor SOCKET COUNT
 *
 * Prints "COUNT round trips in MS ms" on success; exits 1 on the first failure.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The body ("OK") is read and dropped, as every client has to. */
static size_t discard(char *data, size_t size, size_t count, void *unused) {
    (void)data;
    (void)unused;
    return size * count;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SOCKET COUNT\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[2], NULL, 10);
    curl_global_init(CURL_GLOBAL_ALL);
    CURL *handle = curl_easy_init();
    curl_easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, argv[1]);
    curl_easy_setopt(handle, CURLOPT_URL, "http://localhost/_ping");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        CURLcode code = curl_easy_perform(handle);
        long status = 0;
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
        if (code != CURLE_OK || status != 200) {
            fprintf(stderr, "ping %ld failed: %s (HTTP %ld)\n", i + 1, curl_easy_strerror(code), status);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("%ld round trips in %.3f ms\n", count, ms);
    curl_easy_cleanup(handle);
    curl_global_cleanup();
    return 0;
}
