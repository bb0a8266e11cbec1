document.querySelectorAll('table.sortable th').forEach(function(th){
 th.addEventListener('click',function(){
  var table=th.closest('table'),body=table.tBodies[0],col=th.cellIndex;
  var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
  var rows=Array.prototype.slice.call(body.rows);
  function key(r){var c=r.cells[col],v=c.dataset.v!==undefined?c.dataset.v:c.textContent;
   var n=parseFloat(v);return isNaN(n)?v.toLowerCase():n;}
  rows.sort(function(a,b){var x=key(a),y=key(b);
   if(typeof x!==typeof y){x=String(x);y=String(y);}return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
var f=document.getElementById('segfilter'),term=null,note=document.getElementById('termnote');
function show(){var segs=Array.prototype.slice.call(document.querySelectorAll('.seg'));
 segs.forEach(function(s){var ids=(s.dataset.terms||'').split('\t');
  var ok=term?ids.indexOf(term)>=0:(f.value==='all'?s.classList.contains('has-terms'):
   f.value==='every'||s.classList.contains(f.value));
  s.style.display=ok?'':'none';});
 if(term){var box=segs.length?segs[0].parentNode:null;  /* misses of the term first */
  segs.filter(function(s){return (s.dataset.miss||'').split('\t').indexOf(term)>=0;})
   .concat(segs.filter(function(s){return (s.dataset.miss||'').split('\t').indexOf(term)<0;}))
   .forEach(function(s){box.appendChild(s);});}
 if(note){note.style.display=term?'':'none';}}
if(f){f.addEventListener('change',function(){term=null;show();});show();}
document.querySelectorAll('a.term').forEach(function(a){a.addEventListener('click',function(){
 term=a.dataset.term;if(note){note.firstChild.textContent='segments with '+a.textContent+
  ' (misses first) ';}show();});});
var clear=document.getElementById('termclear');
if(clear){clear.addEventListener('click',function(e){e.preventDefault();term=null;show();});}
