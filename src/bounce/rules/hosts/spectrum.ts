import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of spectrum's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-spectrum.go; provider page: https://www.spectrum.net/support/internet/understanding-email-error-codes).
 */
const SISIMAI = "sisimai go rhost/for-spectrum.go";
const PAGE = "https://www.spectrum.net/support/internet/understanding-email-error-codes";

export const SPECTRUM_HOST_RULES: RuleTable = {
  id: "host-spectrum",
  hosts: ["charter.net"],
  providers: ["charter"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-spectrum-aup-1000",
      reason: "blocked",
      pattern: /aup#(?:[a-z]+-?)?1000\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1000); ${PAGE}`,
      example: "AUP#1000",
    },
    {
      id: "rhost-spectrum-aup-1010",
      reason: "rejected",
      pattern: /aup#(?:[a-z]+-?)?1010\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1010); ${PAGE}`,
      example: "AUP#1010",
    },
    {
      id: "rhost-spectrum-aup-1020-1080",
      reason: "rejected",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1020|1021|1022|1023|1024|1025|1026|1027|1028|1029|1030|1031|1032|1033|1034|1035|1036|1037|1038|1039|1040|1041|1042|1043|1044|1045|1046|1047|1048|1049|1050|1051|1052|1053|1054|1055|1056|1057|1058|1059|1060|1061|1062|1063|1064|1065|1066|1067|1068|1069|1070|1071|1072|1073|1074|1075|1076|1077|1078|1079|1080)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1020–1080); ${PAGE}`,
      example: "AUP#1020",
    },
    {
      id: "rhost-spectrum-aup-1090",
      reason: "systemerror",
      pattern: /aup#(?:[a-z]+-?)?1090\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1090); ${PAGE}`,
      example: "AUP#1090",
    },
    {
      id: "rhost-spectrum-aup-1100-1150",
      reason: "requireptr",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1100|1101|1102|1103|1104|1105|1106|1107|1108|1109|1110|1111|1112|1113|1114|1115|1116|1117|1118|1119|1120|1121|1122|1123|1124|1125|1126|1127|1128|1129|1130|1131|1132|1133|1134|1135|1136|1137|1138|1139|1140|1141|1142|1143|1144|1145|1146|1147|1148|1149|1150)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1100–1150); ${PAGE}`,
      example: "AUP#1100",
    },
    {
      id: "rhost-spectrum-aup-1160-1190",
      reason: "policyviolation",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1160|1161|1162|1163|1164|1165|1166|1167|1168|1169|1170|1171|1172|1173|1174|1175|1176|1177|1178|1179|1180|1181|1182|1183|1184|1185|1186|1187|1188|1189|1190)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1160–1190); ${PAGE}`,
      example: "AUP#1160",
    },
    {
      id: "rhost-spectrum-aup-1200-1210",
      reason: "blocked",
      pattern: /aup#(?:[a-z]+-?)?(?:1200|1201|1202|1203|1204|1205|1206|1207|1208|1209|1210)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1200–1210); ${PAGE}`,
      example: "AUP#1200",
    },
    {
      id: "rhost-spectrum-aup-1220-1250",
      reason: "blocked",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1220|1221|1222|1223|1224|1225|1226|1227|1228|1229|1230|1231|1232|1233|1234|1235|1236|1237|1238|1239|1240|1241|1242|1243|1244|1245|1246|1247|1248|1249|1250)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1220–1250); ${PAGE}`,
      example: "AUP#1220",
    },
    {
      id: "rhost-spectrum-aup-1260",
      reason: "networkerror",
      pattern: /aup#(?:[a-z]+-?)?1260\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1260); ${PAGE}`,
      example: "AUP#1260",
    },
    {
      id: "rhost-spectrum-aup-1300-1340",
      reason: "ratelimited",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1300|1301|1302|1303|1304|1305|1306|1307|1308|1309|1310|1311|1312|1313|1314|1315|1316|1317|1318|1319|1320|1321|1322|1323|1324|1325|1326|1327|1328|1329|1330|1331|1332|1333|1334|1335|1336|1337|1338|1339|1340)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1300–1340); ${PAGE}`,
      example: "AUP#1300",
    },
    {
      id: "rhost-spectrum-aup-1350-1490",
      reason: "ratelimited",
      pattern:
        /aup#(?:[a-z]+-?)?(?:1350|1351|1352|1353|1354|1355|1356|1357|1358|1359|1360|1361|1362|1363|1364|1365|1366|1367|1368|1369|1370|1371|1372|1373|1374|1375|1376|1377|1378|1379|1380|1381|1382|1383|1384|1385|1386|1387|1388|1389|1390|1391|1392|1393|1394|1395|1396|1397|1398|1399|1400|1401|1402|1403|1404|1405|1406|1407|1408|1409|1410|1411|1412|1413|1414|1415|1416|1417|1418|1419|1420|1421|1422|1423|1424|1425|1426|1427|1428|1429|1430|1431|1432|1433|1434|1435|1436|1437|1438|1439|1440|1441|1442|1443|1444|1445|1446|1447|1448|1449|1450|1451|1452|1453|1454|1455|1456|1457|1458|1459|1460|1461|1462|1463|1464|1465|1466|1467|1468|1469|1470|1471|1472|1473|1474|1475|1476|1477|1478|1479|1480|1481|1482|1483|1484|1485|1486|1487|1488|1489|1490)\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1350–1490); ${PAGE}`,
      example: "AUP#1350",
    },
    {
      id: "rhost-spectrum-aup-1500",
      reason: "rejected",
      pattern: /aup#(?:[a-z]+-?)?1500\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1500); ${PAGE}`,
      example: "AUP#1500",
    },
    {
      id: "rhost-spectrum-aup-1520",
      reason: "rejected",
      pattern: /aup#(?:[a-z]+-?)?1520\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1520); ${PAGE}`,
      example: "AUP#1520",
    },
    {
      id: "rhost-spectrum-aup-1530",
      reason: "emailtoolarge",
      pattern: /aup#(?:[a-z]+-?)?1530\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1530); ${PAGE}`,
      example: "AUP#1530",
    },
    {
      id: "rhost-spectrum-aup-1540",
      reason: "ratelimited",
      pattern: /aup#(?:[a-z]+-?)?1540\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1540); ${PAGE}`,
      example: "AUP#1540",
    },
    {
      id: "rhost-spectrum-aup-1550",
      reason: "ratelimited",
      pattern: /aup#(?:[a-z]+-?)?1550\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1550); ${PAGE}`,
      example: "AUP#1550",
    },
    {
      id: "rhost-spectrum-aup-1560",
      reason: "policyviolation",
      pattern: /aup#(?:[a-z]+-?)?1560\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1560); ${PAGE}`,
      example: "AUP#1560",
    },
    {
      id: "rhost-spectrum-aup-1580",
      reason: "ratelimited",
      pattern: /aup#(?:[a-z]+-?)?1580\b/,
      anyHost: true,
      source: `${SISIMAI} (AUP#1580); ${PAGE}`,
      example: "AUP#1580",
    },
  ],
};
