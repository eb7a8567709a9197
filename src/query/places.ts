// Place names people put in front of a body ("上海市民政局", "北京教育局"): when the place is not
// the one in the data, the question is about a body we do not have. Provinces, big cities and
// Guangzhou/Tianjin districts; places of ingested bodies are found from their names anyway.
const KNOWN_PLACES = (
  "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 " +
  "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 " +
  "广州 深圳 杭州 南京 武汉 成都 西安 苏州 郑州 长沙 沈阳 青岛 厦门 宁波 大连 济南 哈尔滨 福州 昆明 合肥 " +
  "南昌 南宁 贵阳 太原 石家庄 长春 兰州 乌鲁木齐 呼和浩特 银川 西宁 拉萨 海口 珠海 佛山 东莞 中山 惠州 汕头 " +
  "江门 湛江 肇庆 无锡 温州 常州 徐州 烟台 泉州 三亚 " +
  "越秀 海珠 荔湾 天河 白云 黄埔 番禺 花都 南沙 从化 增城 " +
  "和平 河东 河西 南开 河北区 红桥 滨海 东丽 西青 津南 北辰 武清 宝坻 宁河 静海 蓟州 " +
  "朝阳 海淀 丰台 东城 西城 浦东 徐汇 静安 黄浦 福田 罗湖 南山 宝安 龙岗"
).split(/\s+/);

/** Known places the text mentions (longest first, overlapping ones dropped). */
export function placesIn(text: string): string[] {
  const found = KNOWN_PLACES.filter((p) => text.includes(p)).sort((a, b) => b.length - a.length);
  return found.filter((p, i) => !found.slice(0, i).some((q) => q.includes(p)));
}

/** The place that ends `before` ("请问上海市" → "上海"), or null. */
export function placeAtEnd(before: string): string | null {
  const t = before.replace(/[的在和与及、,，\s]+$/u, "").replace(/(?:省|市|区|县|自治区)$/u, "");
  for (const p of KNOWN_PLACES) if (t.endsWith(p)) return p;
  return null;
}
