// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// write_file_atomic (loom/core/io.h): every file Loom saves (models, checkpoints, .npy) goes through here.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "loom/core/atomic_file.h"
#include "loom/core/error.h"

namespace loom {

namespace {

[[noreturn]] void fail(const std::string& who, const std::string& path, const std::string& what, int err) {
  throw Error(detail::str_cat(who, ": ", what, " '", path, "': ", std::strerror(err)));
}

// The permissions a plain open(O_CREAT, 0666) would give under the process's umask (mkstemp's are 0600).
mode_t default_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

void write_file_atomic(const std::string& path, const std::function<bool(std::FILE*)>& write, const std::string& who) {
  namespace fs = std::filesystem;
  LOOM_CHECK(!path.empty(), ValueError, who, ": empty file path");
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = (dir / (target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> templ(name.begin(), name.end());
  templ.push_back('\0');
  // mkstemp creates with O_CREAT | O_EXCL and a random suffix: a fresh inode that nobody else holds.
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) fail(who, path, "cannot create a temporary file beside", errno);
  const std::string tmp(templ.data());
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(who, tmp, "cannot open", err);
  }
  bool ok = false;
  try {
    ok = write(f);
  } catch (...) {
    std::fclose(f);
    ::unlink(tmp.c_str());
    throw;
  }
  int err = ok ? 0 : (errno ? errno : EIO);
  if (ok && (std::fflush(f) != 0 || ::fchmod(fd, default_mode()) != 0 || ::fsync(fd) != 0)) {
    ok = false;
    err = errno;
  }
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    fail(who, tmp, "writing failed for", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    fail(who, path, "cannot rename the temporary file onto", err);
  }
  // The rename is durable only once the directory entry is: fsync the directory (best effort: some file systems
  // refuse to open directories for this).
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace loom
