// Test-only Vulkan driver (setup.sh): forwards everything to Mesa lavapipe but reports SwiftShader's vendor and device
// ids and driver id, so that headless Chromium's WebGPU, which takes only SwiftShader there, runs on lavapipe. Loaded
// both as an ICD (through the Vulkan loader) and directly by Dawn as Chromium's libvk_swiftshader.so. No Vulkan
// headers: the few struct offsets it patches are written out below.
#include <dlfcn.h>
#include <string.h>
#include <stdint.h>
typedef void (*PFN)(void);
typedef PFN (*GetProc)(void *instance, const char *name);
typedef int (*Negotiate)(uint32_t *version);
typedef void (*GetProps)(void *phys, void *props);
static void *lvp;
static GetProc lvpGetInstanceProcAddr, lvpGetPhysicalDeviceProcAddr;
static GetProps realProps, realProps2, realProps2KHR;

static void load(void) {
  if (lvp) return;
  lvp = dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_LOCAL);
  lvpGetInstanceProcAddr = (GetProc)dlsym(lvp, "vk_icdGetInstanceProcAddr");
  lvpGetPhysicalDeviceProcAddr = (GetProc)dlsym(lvp, "vk_icdGetPhysicalDeviceProcAddr");
}
static void patch(uint8_t *p) {            // VkPhysicalDeviceProperties: vendorID at 8, deviceID at 12, name at 20
  uint32_t vendor = 0x1AE0, device = 0xC0DE;
  memcpy(p + 8, &vendor, 4);
  memcpy(p + 12, &device, 4);


}
// in the pNext chain: VkPhysicalDeviceDriverProperties (1000196000) and VkPhysicalDeviceVulkan12Properties (52) carry
// driverID at offset 16; VK_DRIVER_ID_GOOGLE_SWIFTSHADER = 10
static void patchChain(uint8_t *p) {
  for (uint8_t *n = *(uint8_t **)(p + 8); n; n = *(uint8_t **)(n + 8)) {
    uint32_t type; memcpy(&type, n, 4);
    if (type == 1000196000u || type == 52u) { uint32_t id = 10; memcpy(n + 16, &id, 4); }
  }
}
static void props(void *phys, void *p) { realProps(phys, p); patch(p); }
static void props2(void *phys, void *p) { realProps2(phys, p); patch((uint8_t *)p + 16); patchChain(p); }
static void props2KHR(void *phys, void *p) { realProps2KHR(phys, p); patch((uint8_t *)p + 16); patchChain(p); }

static PFN wrap(void *instance, const char *name, PFN f) {
  if (!f) return f;
  if (!strcmp(name, "vkGetPhysicalDeviceProperties")) { realProps = (GetProps)f; return (PFN)props; }
  if (!strcmp(name, "vkGetPhysicalDeviceProperties2")) { realProps2 = (GetProps)f; return (PFN)props2; }
  if (!strcmp(name, "vkGetPhysicalDeviceProperties2KHR")) { realProps2KHR = (GetProps)f; return (PFN)props2KHR; }
  return f;
}
__attribute__((visibility("default"))) int vk_icdNegotiateLoaderICDInterfaceVersion(uint32_t *v) {
  load();
  Negotiate n = (Negotiate)dlsym(lvp, "vk_icdNegotiateLoaderICDInterfaceVersion");
  return n ? n(v) : 0;
}
__attribute__((visibility("default"))) PFN vk_icdGetInstanceProcAddr(void *instance, const char *name) {
  load();
  return wrap(instance, name, lvpGetInstanceProcAddr(instance, name));
}
__attribute__((visibility("default"))) PFN vk_icdGetPhysicalDeviceProcAddr(void *instance, const char *name) {
  load();
  return wrap(instance, name, lvpGetPhysicalDeviceProcAddr ? lvpGetPhysicalDeviceProcAddr(instance, name) : 0);
}
// Dawn opens Chromium's libvk_swiftshader.so itself (no loader) and asks it for vkGetInstanceProcAddr.
__attribute__((visibility("default"))) PFN vkGetInstanceProcAddr(void *instance, const char *name) {
  load();
  if (!strcmp(name, "vkGetInstanceProcAddr")) return (PFN)vkGetInstanceProcAddr;
  return wrap(instance, name, lvpGetInstanceProcAddr(instance, name));
}
