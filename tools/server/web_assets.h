// The web chat page's files (tools/server/web/), compiled into the binary by CMake
// (embed_assets.cmake writes web_assets.cc), so an installed `miaotui serve` needs no files.
#pragma once

#include <cstddef>
#include <span>

namespace miaotui::server {

struct WebAsset {
  const char* path;          // "/index.html"
  const char* content_type;
  const char* data;
  size_t size;
};

std::span<const WebAsset> WebAssets();

}  // namespace miaotui::server
