// A read-only memory map of a whole file. Owns the mapping; movable, not copyable.
// An empty file maps to size 0 and a null data pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace miaotui {

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole (small) file into a string, e.g. a JSON file.
Result<std::string> ReadFileToString(const std::string& path);

// Writes a file atomically: bytes go to a temporary file beside `path`; Commit() fsyncs and
// renames it into place. Destroyed without Commit(), it removes the temporary file, so a failure
// never leaves a half-written file and never touches an existing one at `path`.
class AtomicFileWriter {
 public:
  static Result<AtomicFileWriter> Create(const std::string& path);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  Status Write(const void* bytes, size_t n);
  Status WriteZeros(size_t n);
  uint64_t bytes_written() const { return written_; }
  Status Commit();

 private:
  AtomicFileWriter() = default;
  std::string path_, tmp_;
  int fd_ = -1;
  uint64_t written_ = 0;
};

// Writes `bytes` to `path` atomically (see AtomicFileWriter).
Status WriteFileAtomically(const std::string& path, const void* bytes, size_t n);

}  // namespace miaotui
