// The include rule between taskio's layers (doc/design.md, "Layers"), read
// from the source files themselves (TASKIO_SOURCE_DIR, defined for this file
// by test/CMakeLists.txt and test/Jamfile):
//
//  * the kernel (every include/taskio/detail/ header but the shared
//    machinery, and lib/X.cpp for each such detail/X.hpp) includes no public
//    header but the vocabulary (config, clock, exceptions), and no machinery,
//    neither directly nor through the private lib/ headers it includes
//    ("driver.hpp", "log_record.hpp");
//  * the shared machinery (detail/ensure_future, watcher, wait_queue and
//    their lib/ files) may include the handles (future, task, create_task)
//    too, but no primitive.
#include "../test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef TASKIO_SOURCE_DIR
#error "TASKIO_SOURCE_DIR (the source tree) is defined by the build for this file"
#endif

namespace {

namespace fs = std::filesystem;

const fs::path root = TASKIO_SOURCE_DIR;
const std::set<std::string> machinery = {"ensure_future", "watcher", "wait_queue"};
const std::set<std::string> vocabulary = {"config", "clock", "exceptions"};
const std::set<std::string> handles = {"future", "task", "create_task"};

/// The first captures of `include` on the lines of `text`.
std::vector<std::string> include_targets(const std::string& text, const std::regex& include) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, include)) out.push_back(m[1]);
  }
  return out;
}

/// The `#include <taskio/...>` targets of `text`, e.g. "detail/loop" or "task".
std::vector<std::string> taskio_includes(const std::string& text) {
  static const std::regex include(R"(^\s*#\s*include\s*<taskio/([a-z_/]+)\.hpp>)");
  return include_targets(text, include);
}

/// The `#include "..."` targets of `text` (lib/'s private headers), e.g. "driver.hpp".
std::vector<std::string> private_includes(const std::string& text) {
  static const std::regex include(R"re(^\s*#\s*include\s*"([a-z_]+\.hpp)")re");
  return include_targets(text, include);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The includes of `text` that break the rule of its layer: "kernel" or
/// "machinery".
std::vector<std::string> violations(const std::string& text, bool kernel) {
  std::vector<std::string> bad;
  for (const std::string& inc : taskio_includes(text)) {
    if (inc.starts_with("detail/")) {
      if (kernel && machinery.contains(inc.substr(7))) bad.push_back(inc);
    } else if (!vocabulary.contains(inc) && (kernel || !handles.contains(inc))) {
      bad.push_back(inc);
    }
  }
  return bad;
}

/// The kernel-rule violations of `file` and of the private lib/ headers it
/// includes, transitively: "<taskio/X.hpp>", or "<taskio/X.hpp> through lib/h.hpp".
void kernel_violations(const fs::path& file, std::set<std::string>& seen, const std::string& via,
                       std::vector<std::string>& out) {
  const std::string text = read(file);
  for (const std::string& inc : violations(text, true))
    out.push_back("<taskio/" + inc + ".hpp>" + (via.empty() ? "" : " through " + via));
  for (const std::string& h : private_includes(text)) {
    const fs::path p = root / "lib" / h;
    if (!fs::exists(p) || !seen.insert(h).second) continue;
    kernel_violations(p, seen, via.empty() ? "lib/" + h : via, out);
  }
}

struct layer_files {
  std::vector<fs::path> kernel, machinery_files;
};

layer_files classify() {
  layer_files f;
  for (const auto& e : fs::directory_iterator(root / "include/taskio/detail")) {
    if (e.path().extension() != ".hpp") continue;
    const std::string stem = e.path().stem().string();
    auto& into = machinery.contains(stem) ? f.machinery_files : f.kernel;
    into.push_back(e.path());
    if (fs::exists(root / "lib" / (stem + ".cpp"))) into.push_back(root / "lib" / (stem + ".cpp"));
  }
  std::sort(f.kernel.begin(), f.kernel.end());
  std::sort(f.machinery_files.begin(), f.machinery_files.end());
  return f;
}

bool holds(const std::vector<fs::path>& files, const char* name) {
  return std::any_of(files.begin(), files.end(), [&](const fs::path& p) { return p.filename() == name; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layering)

BOOST_AUTO_TEST_CASE(the_checker_finds_what_each_layer_may_not_include) {
  const std::string text =
      "#include <taskio/config.hpp>\n#include <taskio/future.hpp>\n#include <taskio/gather.hpp>\n"
      "  #  include <taskio/detail/watcher.hpp>\n#include <taskio/detail/loop.hpp>\n#include \"driver.hpp\"\n";
  BOOST_TEST(taskio_includes(text).size() == 5u);
  const std::vector<std::string> expected_private = {"driver.hpp"};
  BOOST_TEST(private_includes(text) == expected_private, boost::test_tools::per_element());
  const std::vector<std::string> kernel_bad = violations(text, true);
  const std::vector<std::string> expected_kernel = {"future", "gather", "detail/watcher"};
  BOOST_TEST(kernel_bad == expected_kernel, boost::test_tools::per_element());
  const std::vector<std::string> machinery_bad = violations(text, false);
  const std::vector<std::string> expected_machinery = {"gather"};
  BOOST_TEST(machinery_bad == expected_machinery, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_kernel_includes_only_the_vocabulary_and_the_kernel) {
  const layer_files f = classify();
  BOOST_TEST_REQUIRE(holds(f.kernel, "task_state.hpp"));  // the tree was found
  BOOST_TEST_REQUIRE(holds(f.kernel, "task_state.cpp"));
  BOOST_TEST_REQUIRE(holds(f.kernel, "loop_gate.cpp"));
  for (const fs::path& p : f.kernel) {
    std::set<std::string> seen;
    std::vector<std::string> bad;
    kernel_violations(p, seen, "", bad);
    for (const std::string& inc : bad) BOOST_ERROR(fs::relative(p, root).string() << " (kernel) includes " << inc);
  }
}

// The private lib/ headers are read too: a file reaching a primitive through
// one of them is reported with the header it went through (lib/run.cpp, of the
// run layer, reaches task.hpp through stop_signals.hpp).
BOOST_AUTO_TEST_CASE(the_kernel_rule_follows_the_private_lib_headers) {
  std::set<std::string> seen;
  std::vector<std::string> bad;
  kernel_violations(root / "lib" / "run.cpp", seen, "", bad);
  BOOST_TEST(std::count(bad.begin(), bad.end(), "<taskio/task.hpp> through lib/stop_signals.hpp") == 1);
  BOOST_TEST(std::count(bad.begin(), bad.end(), "<taskio/run.hpp>") == 1);
}

BOOST_AUTO_TEST_CASE(the_shared_machinery_includes_no_primitive) {
  const layer_files f = classify();
  BOOST_TEST_REQUIRE(holds(f.machinery_files, "watcher.hpp"));
  BOOST_TEST_REQUIRE(holds(f.machinery_files, "ensure_future.hpp"));
  BOOST_TEST_REQUIRE(holds(f.machinery_files, "wait_queue.cpp"));
  for (const fs::path& p : f.machinery_files)
    for (const std::string& inc : violations(read(p), false))
      BOOST_ERROR(fs::relative(p, root).string() << " (shared machinery) includes <taskio/" << inc << ".hpp>");
}

BOOST_AUTO_TEST_SUITE_END()
