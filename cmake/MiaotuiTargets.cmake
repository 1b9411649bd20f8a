# Shared compile settings for every miaotui target.
add_library(miaotui_options INTERFACE)
# (C++ only: nvcc takes other flags; src/cuda sets its own.)
target_compile_options(miaotui_options INTERFACE
                       "$<$<COMPILE_LANGUAGE:CXX>:-Wall;-Wextra;-Wno-unused-parameter>")
target_include_directories(miaotui_options INTERFACE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
if(MIAOTUI_SANITIZE)
  target_compile_options(miaotui_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=undefined)
  target_link_options(miaotui_options INTERFACE -fsanitize=address,undefined)
endif()
if(MIAOTUI_FUZZ)
  target_compile_options(miaotui_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Per-ISA compile flags. The release build runs on any x86-64; these files are only
# entered after the run-time CPU check in kernels/dispatch.
set(MIAOTUI_AVX2_FLAGS -mavx2 -mfma -mf16c)
set(MIAOTUI_AVX512_FLAGS -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mavx512bf16
                         -mavx2 -mfma -mf16c)

# miaotui_library(NAME SOURCES... DEPS ...) : a static library for one src/ folder.
function(miaotui_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC miaotui_options ${ARG_DEPS})
endfunction()
