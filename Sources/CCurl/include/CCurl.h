#ifndef DINDLAB_CCURL_H
#define DINDLAB_CCURL_H

// Typed, non-variadic wrappers around libcurl. Swift cannot call C variadic
// functions such as curl_easy_setopt and curl_easy_getinfo, so each option
// type gets one prefixed function here. Nothing else in dindlab is C.

#include <curl/curl.h>
#include <stddef.h>

#pragma clang assume_nonnull begin

typedef size_t (*dl_curl_data_callback)(char *_Nonnull buffer, size_t size, size_t count, void *_Nullable userdata);
typedef int (*dl_curl_progress_callback)(void *_Nullable userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

CURLcode dl_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode dl_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode dl_curl_setopt_string(CURL *handle, CURLoption option, const char *_Nullable value);
CURLcode dl_curl_setopt_pointer(CURL *handle, CURLoption option, void *_Nullable value);
CURLcode dl_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *_Nullable list);
CURLcode dl_curl_setopt_data_callback(CURL *handle, CURLoption option, dl_curl_data_callback _Nullable callback);
CURLcode dl_curl_setopt_progress_callback(CURL *handle, dl_curl_progress_callback _Nullable callback);

CURLcode dl_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode dl_curl_getinfo_socket(CURL *handle, curl_socket_t *value);

/// CURL_READFUNC_ABORT and CURL_WRITEFUNC_PAUSE are macros Swift does not import.
size_t dl_curl_readfunc_abort(void);

#pragma clang assume_nonnull end

#endif
