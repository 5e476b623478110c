// Header self-containment: <taskio/outcome.hpp> compiles alone (no PCH), twice.
#include <taskio/outcome.hpp>
#include <taskio/outcome.hpp>
