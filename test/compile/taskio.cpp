// Header self-containment: the umbrella <taskio.hpp> compiles alone (no PCH), twice.
#include <taskio.hpp>
#include <taskio.hpp>
