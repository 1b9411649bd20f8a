// SIGBUS guard for memory-mapped files. When a mapped file shrinks on disk while it is in use
// (another process truncates or rewrites a model file under a running miaotui), touching a page
// past the new end raises SIGBUS. The documented behaviour (docs/ERRORS.md) is a clear message
// naming the file on stderr and exit status 1, never a silent crash or garbage. MappedFile
// registers every mapping here; the handler is installed on the first registration.
#pragma once

#include <cstddef>
#include <cstdint>

namespace miaotui {

// Remembers [data, data + size) as the mapping of `path` (the first 32 live mappings are named;
// later ones still get the generic message). Installs the SIGBUS handler once.
void RegisterMapping(const uint8_t* data, size_t size, const char* path);
// Forgets the mapping that starts at `data` (before munmap).
void UnregisterMapping(const uint8_t* data);

}  // namespace miaotui
