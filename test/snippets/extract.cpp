// Extracts the C++ snippets of markdown pages into one translation unit, so
// that the test suite compiles every code block of README.md and doc/ (see
// test/snippets/README.md for the conventions):
//
//   taskio_doc_extract <out.cpp> <source root> <page.md>...   (pages relative to the root)
//
// Kinds of blocks (the word after ```cpp):
//   (none)     compiled at namespace scope: declarations, or a whole program
//              with its #includes and main;
//   fragment   compiled as the body of a coroutine returning
//              asio::awaitable<void>, with `using namespace taskio;`;
//   prelude    compiled at namespace scope and visible to every later block;
//   synopsis   not compiled (signature listings);
//   excerpt <path>  quotes a file of the repository: every line of it but
//              "..." must appear in that file, so the quote cannot drift.
// An HTML comment starting with "<!-- cpp prelude" is a hidden prelude.
// Every block gets its own namespace; preludes are shared by the blocks
// after them (and by the later pages of the same translation unit);
// #include lines move to the top of the file; #line directives point
// diagnostics at the markdown page.
// Plain standard C++ on purpose: it is built before anything else.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct block {
  enum kind_t { scope, fragment, prelude } kind;
  std::size_t page;                    // index of the page it comes from
  std::size_t first_line;              // 1-based line of the first code line
  std::vector<std::string> lines;
};

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Removes up to `n` leading spaces (a fence indented inside a list item).
std::string unindent(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  while (i < n && i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Every line of the block page[open+1, close) but "..." lines must appear
// (trimmed) inside one line of `file`.
bool check_excerpt(const std::vector<std::string>& page, std::size_t open, std::size_t close,
                   const std::string& file, const std::string& shown) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << shown << ":" << open + 1 << ": error: excerpt of " << file
              << ", which cannot be read\n";
    return false;
  }
  std::vector<std::string> source;
  for (std::string line; std::getline(in, line);) source.push_back(line);
  bool ok = true;
  for (std::size_t k = open + 1; k < close && k < page.size(); ++k) {
    const std::string t = trim(page[k]);
    if (t.empty() || t == "...") continue;
    bool found = false;
    for (const auto& l : source)
      if (l.find(t) != std::string::npos) {
        found = true;
        break;
      }
    if (!found) {
      std::cerr << shown << ":" << k + 1 << ": error: this line of the excerpt is not in "
                << file << ": " << t << "\n";
      ok = false;
    }
  }
  return ok;
}

// Reads one page's blocks into `blocks` (page index `page_no`); false on a
// malformed page or a drifted excerpt (reported on std::cerr).
bool read_page(const std::string& root, const std::string& shown, std::size_t page_no,
               std::vector<block>& blocks) {
  std::ifstream in(root + "/" + shown);
  if (!in) {
    std::cerr << shown << ": cannot read\n";
    return false;
  }
  std::vector<std::string> page;
  for (std::string line; std::getline(in, line);) page.push_back(line);

  bool ok = true;
  for (std::size_t i = 0; i < page.size(); ++i) {
    const std::string t = trim(page[i]);
    if (starts_with(t, "<!-- cpp prelude")) {
      block b{block::prelude, page_no, i + 2, {}};
      std::size_t j = i + 1;
      for (; j < page.size() && trim(page[j]).find("-->") == std::string::npos; ++j)
        b.lines.push_back(page[j]);
      if (j == page.size()) {
        std::cerr << shown << ":" << i + 1 << ": error: unterminated <!-- cpp prelude\n";
        return false;
      }
      blocks.push_back(std::move(b));
      i = j;
      continue;
    }
    if (!starts_with(t, "```")) continue;
    const std::size_t indent = page[i].find('`');
    std::istringstream info(t.substr(3));
    std::string lang, kind;
    info >> lang >> kind;
    // Find the closing fence (any block, so that fences inside other
    // languages' blocks are not taken for C++).
    std::size_t j = i + 1;
    while (j < page.size() && trim(page[j]) != "```") ++j;
    if (lang == "cpp" || lang == "c++") {
      block b{block::scope, page_no, i + 2, {}};
      if (kind == "fragment") {
        b.kind = block::fragment;
      } else if (kind == "prelude") {
        b.kind = block::prelude;
      } else if (kind == "synopsis") {
        i = j;
        continue;
      } else if (kind == "excerpt") {
        std::string path;
        info >> path;
        if (!check_excerpt(page, i, j, root + "/" + path, shown)) ok = false;
        i = j;
        continue;
      } else if (!kind.empty()) {
        std::cerr << shown << ":" << i + 1 << ": error: unknown snippet kind '" << kind
                  << "' (```cpp, ```cpp fragment, ```cpp prelude, ```cpp synopsis or ```cpp excerpt <path>)\n";
        ok = false;
      }
      for (std::size_t k = i + 1; k < j && k < page.size(); ++k)
        b.lines.push_back(unindent(page[k], indent));
      blocks.push_back(std::move(b));
    }
    i = j;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: taskio_doc_extract <out.cpp> <source root> <page.md>...\n"
                 "       (pages relative to the source root)\n";
    return 2;
  }
  const std::string root = argv[2];
  std::vector<std::string> pages(argv + 3, argv + argc);
  std::vector<block> blocks;
  bool ok = true;
  for (std::size_t p = 0; p < pages.size(); ++p) ok = read_page(root, pages[p], p, blocks) && ok;
  if (!ok) return 1;

  std::ostringstream out;
  out << "// Generated by test/snippets/extract.cpp from";
  for (const auto& p : pages) out << " " << p;
  out << ": do not edit.\n";
  if (blocks.empty()) {
    out << "// (no C++ snippet)\n";
  } else {
    out << "#include <taskio.hpp>\n";
    // #include lines of every block, hoisted out of the namespaces.
    for (auto& b : blocks)
      for (auto& l : b.lines)
        if (starts_with(trim(l), "#include")) {
          out << trim(l) << "\n";
          l.clear();
        }
    out << "\nnamespace taskio_doc_snippets {\n"
           "namespace asio = boost::asio;\n"
           "using namespace std::chrono_literals;\n";
    for (const auto& b : blocks) {
      const std::string ns = "block_" + std::to_string(b.page) + "_" + std::to_string(b.first_line);
      if (b.kind != block::prelude) out << "namespace " << ns << " {\n";
      if (b.kind == block::fragment)
        out << "[[maybe_unused]] asio::awaitable<void> fragment() {\n"
               "using namespace taskio;\n";
      out << "#line " << b.first_line << " \"" << pages[b.page] << "\"\n";
      for (const auto& l : b.lines) out << l << "\n";
      if (b.kind == block::fragment) out << "co_return;\n}\n";
      if (b.kind != block::prelude) out << "}  // namespace " << ns << "\n";
      out << "\n";
    }
    out << "}  // namespace taskio_doc_snippets\n";
  }

  std::ofstream o(argv[1]);
  o << out.str();
  if (!o) {
    std::cerr << argv[1] << ": cannot write\n";
    return 2;
  }
  return 0;
}
