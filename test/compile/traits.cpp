// Header self-containment: <taskio/traits.hpp> compiles alone (no PCH), twice.
#include <taskio/traits.hpp>
#include <taskio/traits.hpp>
