// Every scenario, in order. Each runtime runner imports this list and nothing else.
import boundary from "./boundary.js";
import boundaryFuzz from "./boundary-fuzz.js";
import hubCache from "./hub-cache.js";
import hubCommit from "./hub-commit.js";
import hubDownload from "./hub-download.js";
import hubRest from "./hub-rest.js";
import hubWorker from "./hub-worker.js";
import hubXetUpload from "./hub-xet-upload.js";
import inference from "./inference.js";
import sha256 from "./sha256.js";
import xetHash from "./xet-hash.js";
import xetUpload from "./xet-upload.js";

export const scenarios = [...sha256, ...xetHash, ...xetUpload, ...boundary, ...boundaryFuzz, ...hubRest, ...hubDownload, ...hubWorker, ...hubCommit, ...hubXetUpload, ...hubCache, ...inference];
