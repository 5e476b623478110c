# TASKIO_ASIO_ARCHIVE: build taskio (and everything linking taskio::taskio)
# against the Boost.Asio headers in an archive, the rest of Boost staying the
# system one. The archive holds one directory with an include/ tree (as those
# in ../shared/asio/ do), e.g.
#
#   cmake -S . -B build/asio-1.38 -DTASKIO_ASIO_ARCHIVE=../shared/asio/boost-asio-1.38.0.tar.xz
#
# A relative path is taken from the source directory. The archive is
# extracted into <build>/asio-archive/ at configure time (again only when the
# archive changes) and its include/ goes ahead of every other include
# directory of the library, as a PUBLIC (build-tree only) directory.
# Installed packages do not carry it: a consumer of an installed taskio brings
# its own Boost.
#
# Whatever Asio is used, the configure step reports its version.

if(TASKIO_ASIO_ARCHIVE)
  get_filename_component(taskio_asio_archive "${TASKIO_ASIO_ARCHIVE}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
  if(NOT EXISTS "${taskio_asio_archive}" OR IS_DIRECTORY "${taskio_asio_archive}")
    message(FATAL_ERROR "TASKIO_ASIO_ARCHIVE: no archive file at '${taskio_asio_archive}' "
      "(given: '${TASKIO_ASIO_ARCHIVE}', relative paths start at ${PROJECT_SOURCE_DIR})")
  endif()
  set(taskio_asio_dir "${PROJECT_BINARY_DIR}/asio-archive")
  file(SHA256 "${taskio_asio_archive}" taskio_asio_hash)
  set(taskio_asio_stamp "${taskio_asio_archive} ${taskio_asio_hash}")
  set(taskio_asio_old_stamp "")
  if(EXISTS "${taskio_asio_dir}/.stamp")
    file(READ "${taskio_asio_dir}/.stamp" taskio_asio_old_stamp)
  endif()
  if(NOT taskio_asio_old_stamp STREQUAL taskio_asio_stamp)
    file(REMOVE_RECURSE "${taskio_asio_dir}")
    file(ARCHIVE_EXTRACT INPUT "${taskio_asio_archive}" DESTINATION "${taskio_asio_dir}")
    file(WRITE "${taskio_asio_dir}/.stamp" "${taskio_asio_stamp}")
  endif()
  file(GLOB taskio_asio_version_hpp "${taskio_asio_dir}/include/boost/asio/version.hpp"
    "${taskio_asio_dir}/*/include/boost/asio/version.hpp")
  list(LENGTH taskio_asio_version_hpp taskio_asio_found)
  if(NOT taskio_asio_found EQUAL 1)
    file(REMOVE_RECURSE "${taskio_asio_dir}")
    message(FATAL_ERROR "TASKIO_ASIO_ARCHIVE: '${taskio_asio_archive}' must hold exactly one "
      "include/boost/asio/version.hpp (at its top or in one top directory); found ${taskio_asio_found}")
  endif()
  get_filename_component(taskio_asio_include "${taskio_asio_version_hpp}" DIRECTORY) # .../boost/asio
  get_filename_component(taskio_asio_include "${taskio_asio_include}/../.." ABSOLUTE)
  # BEFORE: ahead of Boost::headers; SYSTEM: Asio's own warnings stay quiet,
  # as the system Boost's do.
  target_include_directories(taskio SYSTEM BEFORE PUBLIC $<BUILD_INTERFACE:${taskio_asio_include}>)
  set(taskio_asio_version_file "${taskio_asio_version_hpp}")
else()
  set(taskio_asio_version_file "${Boost_INCLUDE_DIRS}/boost/asio/version.hpp")
endif()

if(EXISTS "${taskio_asio_version_file}")
  file(STRINGS "${taskio_asio_version_file}" taskio_asio_version_line REGEX "^#define BOOST_ASIO_VERSION ")
  string(REGEX REPLACE "^#define BOOST_ASIO_VERSION ([0-9]+).*" "\\1" taskio_asio_version_num "${taskio_asio_version_line}")
  math(EXPR taskio_asio_major "${taskio_asio_version_num} / 100000")
  math(EXPR taskio_asio_minor "${taskio_asio_version_num} / 100 % 1000")
  math(EXPR taskio_asio_patch "${taskio_asio_version_num} % 100")
  set(TASKIO_ASIO_VERSION "${taskio_asio_major}.${taskio_asio_minor}.${taskio_asio_patch}")
  message(STATUS "taskio: Boost.Asio ${TASKIO_ASIO_VERSION} (${taskio_asio_version_file})")
endif()
