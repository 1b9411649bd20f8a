#include "base/mmap_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/mmap_guard.h"

namespace miaotui {

Result<MappedFile> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return IoError(path + ": cannot stat: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + ": is a directory, expected a file");
  }
  MappedFile f;
  f.path_ = path;
  f.size_ = static_cast<size_t>(st.st_size);
  if (f.size_ > 0) {
    void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return IoError(path + ": cannot mmap: " + std::strerror(errno));
    }
    f.data_ = static_cast<const uint8_t*>(p);
    RegisterMapping(f.data_, f.size_, path.c_str());  // SIGBUS if the file shrinks under us
  }
  ::close(fd);
  return f;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : path_(std::move(o.path_)), data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) {
      UnregisterMapping(data_);
      ::munmap(const_cast<uint8_t*>(data_), size_);
    }
    path_ = std::move(o.path_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) {
    UnregisterMapping(data_);
    ::munmap(const_cast<uint8_t*>(data_), size_);
  }
}

Result<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<AtomicFileWriter> AtomicFileWriter::Create(const std::string& path) {
  AtomicFileWriter w;
  w.path_ = path;
  w.tmp_ = path + ".tmp." + std::to_string(::getpid());
  w.fd_ = ::open(w.tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w.fd_ < 0) return IoError(w.tmp_ + ": cannot create: " + std::strerror(errno));
  return w;
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& o) noexcept
    : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), fd_(o.fd_), written_(o.written_) {
  o.fd_ = -1;
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Status AtomicFileWriter::Write(const void* bytes, size_t n) {
  if (fd_ < 0) return Internal(path_ + ": write after commit");
  const auto* p = static_cast<const uint8_t*>(bytes);
  size_t left = n;
  while (left > 0) {
    ssize_t w = ::write(fd_, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError(tmp_ + ": write failed: " + std::strerror(errno));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  written_ += n;
  return Status::Ok();
}

Status AtomicFileWriter::WriteZeros(size_t n) {
  static const uint8_t kZeros[256] = {};
  while (n > 0) {
    size_t k = n < sizeof(kZeros) ? n : sizeof(kZeros);
    MT_RETURN_IF_ERROR(Write(kZeros, k));
    n -= k;
  }
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return Internal(path_ + ": committed twice");
  if (::fsync(fd_) != 0) return IoError(tmp_ + ": fsync failed: " + std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp_.c_str());
    return IoError(path_ + ": cannot rename temporary file into place: " + err);
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const void* bytes, size_t n) {
  MT_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Create(path));
  MT_RETURN_IF_ERROR(w.Write(bytes, n));
  return w.Commit();
}

}  // namespace miaotui
