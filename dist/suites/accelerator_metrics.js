import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  UTILIZATION_ANNOTATION
} from "../chunks/chunk-OEEHFPHV.js";
import {
  metricsTimeoutMs
} from "../chunks/chunk-GHGEUTGR.js";
import {
  acceleratorPod,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  deviceAttribute,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  suiteSettings
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects
} from "../chunks/chunk-FCORZ63V.js";
import {
  getText
} from "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import {
  __commonJS,
  __toESM
} from "../chunks/chunk-WWHORE4U.js";

// node_modules/shallow-equal/dist/index.cjs.js
var require_index_cjs = __commonJS({
  "node_modules/shallow-equal/dist/index.cjs.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    function shallowEqualObjects(objA, objB) {
      if (objA === objB) {
        return true;
      }
      if (!objA || !objB) {
        return false;
      }
      var aKeys = Object.keys(objA);
      var bKeys = Object.keys(objB);
      var len = aKeys.length;
      if (bKeys.length !== len) {
        return false;
      }
      for (var i = 0; i < len; i++) {
        var key = aKeys[i];
        if (objA[key] !== objB[key] || !Object.prototype.hasOwnProperty.call(objB, key)) {
          return false;
        }
      }
      return true;
    }
    function shallowEqualArrays(arrA, arrB) {
      if (arrA === arrB) {
        return true;
      }
      if (!arrA || !arrB) {
        return false;
      }
      var len = arrA.length;
      if (arrB.length !== len) {
        return false;
      }
      for (var i = 0; i < len; i++) {
        if (arrA[i] !== arrB[i]) {
          return false;
        }
      }
      return true;
    }
    exports.shallowEqualArrays = shallowEqualArrays;
    exports.shallowEqualObjects = shallowEqualObjects;
  }
});

// node_modules/parse-prometheus-text-format/dist/parse-prometheus-text-format.cjs.js
var require_parse_prometheus_text_format_cjs = __commonJS({
  "node_modules/parse-prometheus-text-format/dist/parse-prometheus-text-format.cjs.js"(exports, module) {
    "use strict";
    var shallowEqual = require_index_cjs();
    function _classCallCheck(instance, Constructor) {
      if (!(instance instanceof Constructor)) {
        throw new TypeError("Cannot call a class as a function");
      }
    }
    function _inherits(subClass, superClass) {
      if (typeof superClass !== "function" && superClass !== null) {
        throw new TypeError("Super expression must either be null or a function");
      }
      subClass.prototype = Object.create(superClass && superClass.prototype, {
        constructor: {
          value: subClass,
          writable: true,
          configurable: true
        }
      });
      if (superClass) _setPrototypeOf(subClass, superClass);
    }
    function _getPrototypeOf(o) {
      _getPrototypeOf = Object.setPrototypeOf ? Object.getPrototypeOf : function _getPrototypeOf2(o2) {
        return o2.__proto__ || Object.getPrototypeOf(o2);
      };
      return _getPrototypeOf(o);
    }
    function _setPrototypeOf(o, p) {
      _setPrototypeOf = Object.setPrototypeOf || function _setPrototypeOf2(o2, p2) {
        o2.__proto__ = p2;
        return o2;
      };
      return _setPrototypeOf(o, p);
    }
    function isNativeReflectConstruct() {
      if (typeof Reflect === "undefined" || !Reflect.construct) return false;
      if (Reflect.construct.sham) return false;
      if (typeof Proxy === "function") return true;
      try {
        Date.prototype.toString.call(Reflect.construct(Date, [], function() {
        }));
        return true;
      } catch (e) {
        return false;
      }
    }
    function _construct(Parent, args, Class) {
      if (isNativeReflectConstruct()) {
        _construct = Reflect.construct;
      } else {
        _construct = function _construct2(Parent2, args2, Class2) {
          var a = [null];
          a.push.apply(a, args2);
          var Constructor = Function.bind.apply(Parent2, a);
          var instance = new Constructor();
          if (Class2) _setPrototypeOf(instance, Class2.prototype);
          return instance;
        };
      }
      return _construct.apply(null, arguments);
    }
    function _isNativeFunction(fn) {
      return Function.toString.call(fn).indexOf("[native code]") !== -1;
    }
    function _wrapNativeSuper(Class) {
      var _cache = typeof Map === "function" ? /* @__PURE__ */ new Map() : void 0;
      _wrapNativeSuper = function _wrapNativeSuper2(Class2) {
        if (Class2 === null || !_isNativeFunction(Class2)) return Class2;
        if (typeof Class2 !== "function") {
          throw new TypeError("Super expression must either be null or a function");
        }
        if (typeof _cache !== "undefined") {
          if (_cache.has(Class2)) return _cache.get(Class2);
          _cache.set(Class2, Wrapper);
        }
        function Wrapper() {
          return _construct(Class2, arguments, _getPrototypeOf(this).constructor);
        }
        Wrapper.prototype = Object.create(Class2.prototype, {
          constructor: {
            value: Wrapper,
            enumerable: false,
            writable: true,
            configurable: true
          }
        });
        return _setPrototypeOf(Wrapper, Class2);
      };
      return _wrapNativeSuper(Class);
    }
    function _assertThisInitialized(self) {
      if (self === void 0) {
        throw new ReferenceError("this hasn't been initialised - super() hasn't been called");
      }
      return self;
    }
    function _possibleConstructorReturn(self, call) {
      if (call && (typeof call === "object" || typeof call === "function")) {
        return call;
      }
      return _assertThisInitialized(self);
    }
    var InvalidLineError = /* @__PURE__ */ (function(_Error) {
      _inherits(InvalidLineError2, _Error);
      function InvalidLineError2(message) {
        _classCallCheck(this, InvalidLineError2);
        return _possibleConstructorReturn(this, _getPrototypeOf(InvalidLineError2).call(this, "Encountered invalid line: " + message));
      }
      return InvalidLineError2;
    })(_wrapNativeSuper(Error));
    Object.defineProperty(InvalidLineError.prototype, "name", {
      value: InvalidLineError.name
    });
    var STATE_NAME = 0;
    var STATE_STARTOFLABELNAME = 1;
    var STATE_ENDOFNAME = 2;
    var STATE_VALUE = 3;
    var STATE_ENDOFLABELS = 4;
    var STATE_LABELNAME = 5;
    var STATE_LABELVALUEQUOTE = 6;
    var STATE_LABELVALUEEQUALS = 7;
    var STATE_LABELVALUE = 8;
    var STATE_LABELVALUESLASH = 9;
    var STATE_NEXTLABEL = 10;
    var STATE_TIMESTAMP = 11;
    function parseSampleLine(line) {
      var name = "";
      var labelname = "";
      var labelvalue = "";
      var value = "";
      var timestamp = "";
      var labels = void 0;
      var state = STATE_NAME;
      for (var c = 0; c < line.length; ++c) {
        var _char = line.charAt(c);
        if (state === STATE_NAME) {
          if (_char === "{") {
            state = STATE_STARTOFLABELNAME;
          } else if (_char === " " || _char === "	") {
            state = STATE_ENDOFNAME;
          } else {
            name += _char;
          }
        } else if (state === STATE_ENDOFNAME) {
          if (_char === " " || _char === "	") ;
          else if (_char === "{") {
            state = STATE_STARTOFLABELNAME;
          } else {
            value += _char;
            state = STATE_VALUE;
          }
        } else if (state === STATE_STARTOFLABELNAME) {
          if (_char === " " || _char === "	") ;
          else if (_char === "}") {
            state = STATE_ENDOFLABELS;
          } else {
            labelname += _char;
            state = STATE_LABELNAME;
          }
        } else if (state === STATE_LABELNAME) {
          if (_char === "=") {
            state = STATE_LABELVALUEQUOTE;
          } else if (_char === "}") {
            state = STATE_ENDOFLABELS;
          } else if (_char === " " || _char === "	") {
            state = STATE_LABELVALUEEQUALS;
          } else {
            labelname += _char;
          }
        } else if (state === STATE_LABELVALUEEQUALS) {
          if (_char === "=") {
            state = STATE_LABELVALUEQUOTE;
          } else if (_char === " " || _char === "	") ;
          else {
            throw new InvalidLineError(line);
          }
        } else if (state === STATE_LABELVALUEQUOTE) {
          if (_char === '"') {
            state = STATE_LABELVALUE;
          } else if (_char === " " || _char === "	") ;
          else {
            throw new InvalidLineError(line);
          }
        } else if (state === STATE_LABELVALUE) {
          if (_char === "\\") {
            state = STATE_LABELVALUESLASH;
          } else if (_char === '"') {
            if (!labels) {
              labels = {};
            }
            labels[labelname] = labelvalue;
            labelname = "";
            labelvalue = "";
            state = STATE_NEXTLABEL;
          } else {
            labelvalue += _char;
          }
        } else if (state === STATE_LABELVALUESLASH) {
          state = STATE_LABELVALUE;
          if (_char === "\\") {
            labelvalue += "\\";
          } else if (_char === "n") {
            labelvalue += "\n";
          } else if (_char === '"') {
            labelvalue += '"';
          } else {
            labelvalue += "\\".concat(_char);
          }
        } else if (state === STATE_NEXTLABEL) {
          if (_char === ",") {
            state = STATE_LABELNAME;
          } else if (_char === "}") {
            state = STATE_ENDOFLABELS;
          } else if (_char === " " || _char === "	") ;
          else {
            throw new InvalidLineError(line);
          }
        } else if (state === STATE_ENDOFLABELS) {
          if (_char === " " || _char === "	") ;
          else {
            value += _char;
            state = STATE_VALUE;
          }
        } else if (state === STATE_VALUE) {
          if (_char === " " || _char === "	") {
            state = STATE_TIMESTAMP;
          } else {
            value += _char;
          }
        } else if (state === STATE_TIMESTAMP) {
          if (_char === " " || _char === "	") ;
          else {
            timestamp += _char;
          }
        }
      }
      var ret = {
        name,
        value
      };
      if (labels) {
        ret.labels = labels;
      }
      if (timestamp) {
        ret.timestamp_ms = timestamp;
      }
      return ret;
    }
    var SUMMARY_TYPE = "SUMMARY";
    var HISTOGRAM_TYPE = "HISTOGRAM";
    function parsePrometheusTextFormat2(metrics) {
      var lines = metrics.split("\n");
      var converted = [];
      var metric;
      var help;
      var type;
      var samples = [];
      for (var i = 0; i < lines.length; ++i) {
        var line = lines[i].trim();
        var lineMetric = null;
        var lineHelp = null;
        var lineType = null;
        var lineSample = null;
        if (line.length === 0) ;
        else if (line.startsWith("# ")) {
          var lineData = line.substring(2);
          var instr = null;
          if (lineData.startsWith("HELP ")) {
            instr = 1;
          } else if (lineData.startsWith("TYPE ")) {
            instr = 2;
          }
          if (instr) {
            lineData = lineData.substring(5);
            var spaceIndex = lineData.indexOf(" ");
            if (spaceIndex !== -1) {
              lineMetric = lineData.substring(0, spaceIndex);
              var remain = lineData.substring(spaceIndex + 1);
              if (instr === 1) {
                lineHelp = unescapeHelp(remain);
              } else {
                if (remain.includes(" ")) {
                  throw new InvalidLineError(line);
                }
                lineType = remain.toUpperCase();
              }
            } else {
              throw new InvalidLineError(line);
            }
          }
        } else {
          lineSample = parseSampleLine(line);
          lineMetric = lineSample.name;
        }
        if (lineMetric === metric) {
          if (!help && lineHelp) {
            help = lineHelp;
          } else if (!type && lineType) {
            type = lineType;
          }
        }
        var suffixedCount = "".concat(metric, "_count");
        var suffixedSum = "".concat(metric, "_sum");
        var suffixedBucket = "".concat(metric, "_bucket");
        var allowedNames = [metric];
        if (type === SUMMARY_TYPE || type === HISTOGRAM_TYPE) {
          allowedNames.push(suffixedCount);
          allowedNames.push(suffixedSum);
        }
        if (type === HISTOGRAM_TYPE) {
          allowedNames.push(suffixedBucket);
        }
        if (i + 1 === lines.length || lineMetric && !allowedNames.includes(lineMetric)) {
          if (metric) {
            if (type === SUMMARY_TYPE) {
              samples = flattenMetrics(samples, "quantiles", "quantile", "value");
            } else if (type === HISTOGRAM_TYPE) {
              samples = flattenMetrics(samples, "buckets", "le", "bucket");
            }
            converted.push({
              name: metric,
              help: help ? help : "",
              type: type ? type : "UNTYPED",
              metrics: samples
            });
          }
          metric = lineMetric;
          help = lineHelp ? lineHelp : null;
          type = lineType ? lineType : null;
          samples = [];
        }
        if (lineSample) {
          if (lineSample.name !== metric) {
            if (type === SUMMARY_TYPE || type === HISTOGRAM_TYPE) {
              if (lineSample.name === suffixedCount) {
                lineSample.count = lineSample.value;
              } else if (lineSample.name === suffixedSum) {
                lineSample.sum = lineSample.value;
              }
            }
            if (type === HISTOGRAM_TYPE && lineSample.name === suffixedBucket) {
              lineSample.bucket = lineSample.value;
            }
            delete lineSample.value;
          }
          delete lineSample.name;
          var samplesLen = samples.length;
          var lastSample = samplesLen === 0 ? null : samples[samplesLen - 1];
          if (lastSample && shallowEqual.shallowEqualObjects(lineSample.labels, lastSample.labels)) {
            delete lineSample.labels;
            for (var key in lineSample) {
              lastSample[key] = lineSample[key];
            }
          } else {
            samples.push(lineSample);
          }
        }
      }
      return converted;
    }
    function flattenMetrics(metrics, groupName, keyName, valueName) {
      var flattened = null;
      for (var i = 0; i < metrics.length; ++i) {
        var sample = metrics[i];
        if (sample.labels && sample.labels[keyName] && sample[valueName]) {
          if (!flattened) {
            flattened = {};
            flattened[groupName] = {};
          }
          flattened[groupName][sample.labels[keyName]] = sample[valueName];
        } else if (!sample.labels) {
          if (!flattened) {
            flattened = {};
          }
          if (sample.count !== void 0) {
            flattened.count = sample.count;
          }
          if (sample.sum !== void 0) {
            flattened.sum = sample.sum;
          }
        }
      }
      if (flattened) {
        return [flattened];
      } else {
        return metrics;
      }
    }
    function unescapeHelp(line) {
      var result = "";
      var slash = false;
      for (var c = 0; c < line.length; ++c) {
        var _char = line.charAt(c);
        if (slash) {
          if (_char === "\\") {
            result += "\\";
          } else if (_char === "n") {
            result += "\n";
          } else {
            result += "\\".concat(_char);
          }
          slash = false;
        } else {
          if (_char === "\\") {
            slash = true;
          } else {
            result += _char;
          }
        }
      }
      if (slash) {
        result += "\\";
      }
      return result;
    }
    module.exports = parsePrometheusTextFormat2;
  }
});

// src/accelerators/metrics.ts
var import_parse_prometheus_text_format = __toESM(require_parse_prometheus_text_format_cjs(), 1);
var METRIC_KINDS = [
  "utilization",
  "memory",
  "temperature",
  "power",
  "interconnect"
];
var REQUIRED_METRIC_KINDS = ["utilization", "memory"];
var KNOWN_NAMES = {
  utilization: [
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
    "hw_gpu_utilization",
    "hw_gpu_utilization_ratio",
    "amd_gpu_gfx_activity",
    "gpu_gfx_activity",
    "xpu_engine_group_engine_active_ratio"
  ],
  memory: [
    "DCGM_FI_DEV_FB_USED",
    "hw_gpu_memory_usage",
    "hw_gpu_memory_usage_bytes",
    "amd_gpu_used_vram",
    "gpu_used_vram",
    "xpu_memory_used_bytes"
  ],
  temperature: ["DCGM_FI_DEV_GPU_TEMP", "hw_temperature", "amd_gpu_edge_temperature"],
  power: ["DCGM_FI_DEV_POWER_USAGE", "hw_power", "amd_gpu_power_usage"],
  interconnect: ["DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_PROF_NVLINK_TX_BYTES"]
};
var NAME_PATTERNS = [
  ["interconnect", /nvlink|pcie_tx|pcie_rx|bandwidth|xgmi/i],
  ["power", /power|watt|energy/i],
  ["temperature", /temp/i],
  ["utilization", /util/i],
  ["memory", /mem|fb_|vram|hbm/i]
];
var DEVICE_LABELS = [
  "UUID",
  "uuid",
  "gpu",
  "device_id",
  "dev_id",
  "card_id",
  "GPU_I_ID",
  "minor_number",
  "pci_bus_id",
  "hw_id"
];
var UUID_LABELS = ["UUID", "uuid", "hw_id"];
var HOST_LABELS = ["Hostname", "hostname", "node", "kubernetes_node", "instance"];
function parseMetrics(text) {
  const samples = [];
  for (const family of (0, import_parse_prometheus_text_format.default)(text)) {
    for (const metric of family.metrics) {
      if (!("value" in metric)) continue;
      samples.push({
        name: family.name,
        labels: metric.labels ?? {},
        value: Number(metric.value)
      });
    }
  }
  return samples;
}
function metricKind(name) {
  for (const kind of METRIC_KINDS) if (KNOWN_NAMES[kind].includes(name)) return kind;
  for (const [kind, pattern] of NAME_PATTERNS) if (pattern.test(name)) return kind;
  return null;
}
function deviceKey(labels) {
  for (const name of UUID_LABELS) if (labels[name]) return labels[name];
  const device = DEVICE_LABELS.find((name) => labels[name] !== void 0 && labels[name] !== "");
  if (!device) return null;
  const host = HOST_LABELS.find((name) => labels[name]);
  return `${host ? labels[host] : "?"}/${device}=${labels[device]}`;
}
function acceleratorSeries(samples) {
  const devices = /* @__PURE__ */ new Map();
  for (const sample of samples) {
    const kind = metricKind(sample.name);
    const key = deviceKey(sample.labels);
    if (!kind || !key || !Number.isFinite(sample.value)) continue;
    const entry = devices.get(key) ?? { key, kinds: {}, pods: [] };
    const current = entry.kinds[kind];
    entry.kinds[kind] = current ? {
      names: current.names.includes(sample.name) ? current.names : [...current.names, sample.name],
      value: Math.max(current.value, sample.value)
    } : { names: [sample.name], value: sample.value };
    const pod = sample.labels.pod ? `${sample.labels.namespace ?? ""}/${sample.labels.pod}`.replace(/^\//, "") : null;
    if (pod && !entry.pods.includes(pod)) entry.pods.push(pod);
    devices.set(key, entry);
  }
  return devices;
}
function utilizationOf(samples, key) {
  const mine = samples.filter(
    (s) => deviceKey(s.labels) === key && metricKind(s.name) === "utilization"
  );
  for (const name of KNOWN_NAMES.utilization) {
    const values = mine.filter((s) => s.name === name).map((s) => s.value);
    if (values.length > 0) return Math.max(...values);
  }
  return mine.length > 0 ? Math.max(...mine.map((s) => s.value)) : null;
}

// suites/accelerator_metrics.ts
var budget = { devices: 1, typicalSeconds: 9 };
var EXPORTER_SELECTORS = [
  "app=nvidia-dcgm-exporter",
  "app.kubernetes.io/name=dcgm-exporter",
  "app.kubernetes.io/name=kaic-fakegpu,app.kubernetes.io/component=exporter"
];
var LOAD_DELTA = 30;
function parseServiceRef(ref) {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+):([0-9]+|[a-z0-9-]+)(\/.*)?$/.exec(ref);
  if (!match) {
    throw new Error(
      `KAIC_ACCELERATOR_METRICS="${ref}": give http(s)://host:port/path or <namespace>/<service>:<port>[/path]`
    );
  }
  return { namespace: match[1], name: match[2], port: match[3], path: match[4] ?? "/metrics" };
}
async function serviceEndpoints(namespace, name, port, path) {
  const { kc, core } = suiteCluster();
  const endpoints = await core.readNamespacedEndpoints({ namespace, name }).catch(() => null);
  const pods = (endpoints?.subsets ?? []).flatMap(
    (subset) => (subset.addresses ?? []).filter((a) => a.targetRef?.kind === "Pod").map((a) => {
      const numeric = /^\d+$/.test(port) ? port : String(subset.ports?.find((p) => p.name === port)?.port ?? port);
      return { pod: a.targetRef?.name, port: numeric };
    })
  );
  if (pods.length > 0) {
    return pods.map(({ pod, port: podPort }) => ({
      describe: `pod ${namespace}/${pod}:${podPort}${path}`,
      scrape: () => getText(kc, `/api/v1/namespaces/${namespace}/pods/${pod}:${podPort}/proxy${path}`)
    }));
  }
  return [
    {
      describe: `service ${namespace}/${name}:${port}${path}`,
      scrape: () => getText(kc, `/api/v1/namespaces/${namespace}/services/${name}:${port}/proxy${path}`)
    }
  ];
}
async function findEndpoints() {
  const configured = suiteSettings().acceleratorMetrics;
  if (configured && /^https?:\/\//.test(configured)) {
    return {
      how: `configured (KAIC_ACCELERATOR_METRICS=${configured})`,
      endpoints: [
        {
          describe: configured,
          scrape: async () => {
            const res = await fetch(configured, { signal: AbortSignal.timeout(3e4) });
            if (!res.ok) throw new Error(`GET ${configured}: ${res.status} ${res.statusText}`);
            return res.text();
          }
        }
      ]
    };
  }
  if (configured) {
    const ref = parseServiceRef(configured);
    return {
      how: `configured (KAIC_ACCELERATOR_METRICS=${configured})`,
      endpoints: await serviceEndpoints(ref.namespace, ref.name, ref.port, ref.path)
    };
  }
  const { core } = suiteCluster();
  for (const selector of EXPORTER_SELECTORS) {
    const services = (await core.listServiceForAllNamespaces({ labelSelector: selector })).items;
    const endpoints = [];
    for (const svc of services) {
      const ports = svc.spec?.ports ?? [];
      const port = ports.find((p) => /metric/.test(p.name ?? "")) ?? ports[0];
      if (!port) continue;
      endpoints.push(
        ...await serviceEndpoints(
          svc.metadata?.namespace,
          svc.metadata?.name,
          String(port.port),
          "/metrics"
        )
      );
    }
    if (endpoints.length > 0) return { how: `found by Service label ${selector}`, endpoints };
  }
  throw new Error(
    `no accelerator metrics endpoint: no Service labelled ${EXPORTER_SELECTORS.join(" or ")}; name yours with KAIC_ACCELERATOR_METRICS=<namespace>/<service>:<port>[/path] or an http(s) URL`
  );
}
async function scrapeAll(endpoints) {
  const texts = await Promise.all(
    endpoints.map(
      (e) => e.scrape().catch((error) => {
        throw new Error(`scraping ${e.describe}: ${error.message}`, { cause: error });
      })
    )
  );
  return texts.flatMap(parseMetrics);
}
async function advertised(setup) {
  const { kc, core } = suiteCluster();
  if (setup.mode === "dra" && setup.draApi) {
    const driver = setup.profile.draDriver;
    const slices = await new DraObjects(kc, setup.draApi).list("ResourceSlice");
    const uuids = /* @__PURE__ */ new Set();
    let devices = 0;
    for (const slice of slices) {
      if (slice.spec?.driver !== driver || !setup.nodes.includes(slice.spec.nodeName ?? "")) {
        continue;
      }
      for (const device of slice.spec.devices ?? []) {
        devices++;
        const uuid = deviceAttribute(device, driver, "parentUUID")?.string ?? deviceAttribute(device, driver, "uuid")?.string;
        if (uuid) uuids.add(uuid);
      }
    }
    return devices > 0 && uuids.size > 0 ? {
      uuids: [...uuids].sort(),
      count: uuids.size,
      source: `${uuids.size} GPU UUIDs in ${driver} ResourceSlices`
    } : { uuids: null, count: devices, source: `${devices} ${driver} devices (no UUID attribute)` };
  }
  const resource = setup.profile.extendedResource;
  const nodes = (await core.listNode()).items.filter(
    (n) => setup.nodes.includes(n.metadata?.name)
  );
  const count = nodes.reduce((sum, n) => sum + Number(n.status?.allocatable?.[resource] ?? 0), 0);
  return {
    uuids: null,
    count,
    source: `${count} ${resource} allocatable on ${nodes.length} nodes`
  };
}
describe(`${requirementTag("accelerator_metrics", "MUST")} Accelerator metrics`, function() {
  this.timeout(3e5);
  let setup;
  let endpoints;
  let ns = "";
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  beforeEach(async function() {
    const found = await findEndpoints();
    endpoints = found.endpoints;
    recordEvidence(
      this,
      "observed",
      `metrics endpoint ${found.how}: ${endpoints.map((e) => e.describe).join(", ")}`
    );
  });
  afterEach(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
    ns = "";
  });
  it("exposes utilization and memory for every advertised accelerator, keyed by a device label", async function() {
    const samples = await scrapeAll(endpoints);
    const series = acceleratorSeries(samples);
    const wanted = await advertised(setup);
    recordEvidence(
      this,
      "observed",
      `${samples.length} samples; ${series.size} accelerators with a device label; advertised: ${wanted.source}`
    );
    expect(wanted.count, "accelerators the cluster advertises").to.be.greaterThan(0);
    const missing = [];
    const keys = wanted.uuids ?? [...series.keys()];
    for (const key of keys) {
      const entry = series.get(key);
      for (const kind of REQUIRED_METRIC_KINDS) {
        if (!entry?.kinds[kind]) missing.push(`${key}: no ${kind} series`);
      }
    }
    expect(
      missing.length,
      `${missing.length} gaps in the required series: ${missing.slice(0, 4).join("; ")}` + (missing.length > 4 ? "; \u2026" : "")
    ).to.equal(0);
    if (!wanted.uuids) {
      expect(series.size, `devices with series (advertised: ${wanted.source})`).to.be.at.least(
        wanted.count
      );
    }
    for (const kind of METRIC_KINDS.filter((k) => !REQUIRED_METRIC_KINDS.includes(k))) {
      const having = keys.filter((k) => series.get(k)?.kinds[kind]).length;
      const names = [...new Set(keys.flatMap((k) => series.get(k)?.kinds[kind]?.names ?? []))];
      recordEvidence(
        this,
        "observed",
        `SHOULD ${kind}: ${having}/${keys.length} accelerators` + (names.length ? ` (${names.join(", ")})` : " (not exposed)")
      );
    }
    const first = series.get(keys[0]);
    recordEvidence(
      this,
      "observed",
      `required series per accelerator: ${REQUIRED_METRIC_KINDS.map((k) => `${k} ${first?.kinds[k]?.names.join("/")}`).join(", ")}`
    );
  });
  it("a pod that loads its accelerator moves that accelerator utilization, and only that one", async function() {
    const loadImage = suiteSettings().acceleratorLoadImage;
    const loadCommand = suiteSettings().acceleratorLoadCommand;
    if (setup.profile.kind !== "fake" && !loadImage) {
      skipBecause(
        this,
        "no GPU load to run: set KAIC_ACCELERATOR_LOAD_IMAGE (and KAIC_ACCELERATOR_LOAD_COMMAND) to a container that keeps the GPU it holds busy"
      );
    }
    const before2 = await scrapeAll(endpoints);
    const keys = [...acceleratorSeries(before2).keys()];
    const baseline = new Map(keys.map((k) => [k, utilizationOf(before2, k) ?? 0]));
    ns = await createNamespace("kaic-accel-metrics");
    await createClaimTemplate(setup, ns, "one");
    const pod = acceleratorPod({
      namespace: ns,
      name: "load",
      setup,
      claimTemplate: "one",
      containers: [{ name: "load", accelerator: true }]
    });
    pod.metadata = { ...pod.metadata, annotations: { [UTILIZATION_ANNOTATION]: "90" } };
    if (loadImage) {
      const container = pod.spec?.containers[0];
      container.image = loadImage;
      if (loadCommand) container.command = ["sh", "-c", loadCommand];
      else delete container.command;
    }
    await createPod(pod);
    const allocated = await waitFor(
      `pod ${ns}/load scheduled with its accelerator`,
      async () => {
        const p = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: "load" });
        return p.spec?.nodeName ? p : void 0;
      },
      12e4
    );
    const node = allocated.spec?.nodeName;
    const moved = await waitFor(
      `a utilization series to rise ${LOAD_DELTA} points above its baseline`,
      async () => {
        const now = await scrapeAll(endpoints);
        const rising = keys.filter(
          (k) => (utilizationOf(now, k) ?? 0) - (baseline.get(k) ?? 0) >= LOAD_DELTA
        );
        return rising.length > 0 ? { rising, now } : void 0;
      },
      metricsTimeoutMs(),
      2e3
    );
    const series = acceleratorSeries(moved.now);
    recordEvidence(
      this,
      "observed",
      `pod ${ns}/load on ${node}: ${moved.rising.map(
        (k) => `${k} ${baseline.get(k)} \u2192 ${utilizationOf(moved.now, k)}` + (series.get(k)?.pods.length ? ` (pod label ${series.get(k)?.pods.join(", ")})` : "")
      ).join("; ")}`
    );
    expect(moved.rising, "accelerators whose utilization moved").to.have.length(1);
    if (setup.mode === "dra" && setup.draApi) {
      const uuid = await allocatedUuid(setup, ns);
      if (uuid && keys.includes(uuid)) {
        expect(moved.rising, "the accelerator the pod holds").to.deep.equal([uuid]);
      }
    }
  });
});
async function allocatedUuid(setup, namespace) {
  const objects = new DraObjects(suiteCluster().kc, setup.draApi);
  const claims = await objects.list(
    "ResourceClaim",
    void 0,
    `metadata.namespace=${namespace}`
  );
  const result = claims[0]?.status?.allocation?.devices?.results?.[0];
  if (!result) return null;
  const driver = setup.profile.draDriver;
  const slices = await objects.list("ResourceSlice");
  for (const slice of slices) {
    if (slice.spec?.driver !== driver) continue;
    const device = slice.spec.devices?.find((d) => d.name === result.device);
    if (device && slice.spec.nodeName === result.pool) {
      return deviceAttribute(device, driver, "parentUUID")?.string ?? deviceAttribute(device, driver, "uuid")?.string ?? null;
    }
  }
  return null;
}
export {
  budget
};
